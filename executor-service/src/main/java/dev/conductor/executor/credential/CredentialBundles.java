package dev.conductor.executor.credential;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.conductor.events.EventCodec;
import dev.conductor.executor.pool.ExecutorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Opens credential bundles: compact JWEs ({@code ECDH-ES+A256KW}, {@code A256GCM}) to this pool's
 * key. The key file holds one private EC JWK, or a JWK set while keys rotate (the broker encrypts
 * to the newest, the previous one stays one deadline); the JWE's {@code kid} picks the key.
 *
 * <p>The plaintext is JSON as the broker writes it: {@code {"tokens": [{"resource", "token",
 * "expiresAt"}]}} (JWTs); {@code {"credentials": [{"resource", "kind", "expiresAt", ...secret
 * fields}]}}, a bare array of entries or a single entry object are accepted too.
 */
@ApplicationScoped
public class CredentialBundles {
  private static final Logger LOG = Logger.getLogger(CredentialBundles.class);

  private final List<ECKey> keys;

  public CredentialBundles(ExecutorConfig config) {
    this.keys = config.privateKeyFile().map(CredentialBundles::load).orElse(List.of());
    if (keys.isEmpty()) {
      LOG.warn(
          "no pool private key (conductor.executor.private-key-file): jobs with credentials will"
              + " fail");
    }
  }

  /** Decrypts and parses a bundle; the message of a failure never contains plaintext. */
  public List<Credential> open(String jwe) throws CredentialsUnreadable {
    JWEObject object;
    try {
      object = JWEObject.parse(jwe);
    } catch (ParseException e) {
      throw new CredentialsUnreadable("not a compact JWE");
    }
    String kid = object.getHeader().getKeyID();
    for (ECKey key : keys) {
      if (kid != null && key.getKeyID() != null && !kid.equals(key.getKeyID())) {
        continue;
      }
      try {
        object.decrypt(new ECDHDecrypter(key));
        return parse(object.getPayload().toBytes());
      } catch (JOSEException | IllegalStateException e) {
        // Not this key (or a tampered bundle): try the next one, if any.
      }
    }
    throw new CredentialsUnreadable("no pool key decrypts the bundle (kid " + kid + ")");
  }

  private static List<Credential> parse(byte[] plaintext) throws CredentialsUnreadable {
    JsonNode root;
    try {
      root = EventCodec.JSON.readTree(plaintext);
    } catch (IOException e) {
      throw new CredentialsUnreadable("the bundle is not JSON");
    }
    JsonNode entries = root;
    if (root != null && root.has("tokens")) {
      entries = root.get("tokens");
    } else if (root != null && root.has("credentials")) {
      entries = root.get("credentials");
    }
    List<JsonNode> list = new ArrayList<>();
    if (entries != null && entries.isArray()) {
      entries.forEach(list::add);
    } else if (entries != null && entries.isObject()) {
      list.add(entries);
    } else {
      throw new CredentialsUnreadable("the bundle holds no credentials");
    }
    List<Credential> credentials = new ArrayList<>();
    for (JsonNode entry : list) {
      if (!entry.isObject()) {
        throw new CredentialsUnreadable("a bundle entry is not an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = EventCodec.JSON.convertValue(entry, Map.class);
      fields.values().removeIf(v -> v == null);
      credentials.add(
          new Credential(
              text(entry, "resource", text(entry, "target", "unnamed")),
              text(entry, "kind", entry.has("token") ? "jwt" : "unknown"),
              instant(entry.path("expiresAt").asText(null)),
              fields));
    }
    return List.copyOf(credentials);
  }

  private static String text(JsonNode node, String field, String fallback) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.asText().isBlank() ? fallback : value.asText();
  }

  private static Instant instant(String value) {
    try {
      return value == null ? null : Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static List<ECKey> load(Path file) {
    try {
      String json = Files.readString(file);
      List<JWK> jwks =
          json.contains("\"keys\"") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
      List<ECKey> keys = new ArrayList<>();
      for (JWK jwk : jwks) {
        if (jwk instanceof ECKey ec && ec.isPrivate()) {
          keys.add(ec);
        }
      }
      if (keys.isEmpty()) {
        throw new IllegalStateException(file + " holds no private EC key");
      }
      LOG.infof("pool key(s) %s loaded", keys.stream().map(ECKey::getKeyID).toList());
      return List.copyOf(keys);
    } catch (IOException | ParseException e) {
      throw new IllegalStateException("cannot read the pool key " + file + ": " + e.getMessage());
    }
  }
}
