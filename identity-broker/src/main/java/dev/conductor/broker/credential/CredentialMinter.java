package dev.conductor.broker.credential;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.conductor.broker.config.BrokerConfig;
import dev.conductor.broker.issuer.JwtSigner;
import dev.conductor.broker.issuer.TokenResource;
import dev.conductor.events.EventCodec;
import dev.conductor.events.data.DataAccess;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.platform.auth.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Mints an allowed attempt's credentials: one ES256 JWT per declared resource (audience = the
 * resource, scope = the declared permissions, expiring at the attempt's deadline or after the token
 * lifetime, whichever is first), bundled as {@code {"tokens":[{resource, token, expiresAt}]}} and
 * encrypted to the pool's key as a compact JWE (ECDH-ES+A256KW, A256GCM). The tokens exist only
 * inside that JWE: what is returned for storage and events is their fingerprints.
 *
 * <p>A job's token works only where it was meant to: it is typed {@code job+jwt}, which Conductor's
 * API refuses, and no resource may be named as the API's audience.
 */
@ApplicationScoped
public class CredentialMinter {
  private final JwtSigner signer;
  private final PoolKeyring keyring;
  private final Duration lifetime;

  public CredentialMinter(JwtSigner signer, PoolKeyring keyring, BrokerConfig config) {
    this.signer = signer;
    this.keyring = keyring;
    this.lifetime = config.tokenLifetime();
  }

  /** What was minted: the leases to record and the encrypted bundle (null when nothing). */
  public record Minted(List<Lease> leases, String bundle) {}

  public Minted mint(JobScheduled job, Instant now) throws CredentialFailure {
    Map<String, Set<String>> wanted = wanted(job.dataAccess());
    if (wanted.isEmpty()) {
      return new Minted(List.of(), null);
    }
    Instant cap = now.plus(lifetime);
    Instant expiry = job.deadline() != null && job.deadline().isBefore(cap) ? job.deadline() : cap;
    // JWT times are whole seconds; round down so a token never outlives the deadline.
    expiry = Instant.ofEpochSecond(expiry.getEpochSecond());
    if (!expiry.isAfter(now)) {
      throw new CredentialFailure("the attempt's deadline has passed");
    }
    ECKey poolKey = keyring.publicKey(job.pool());
    List<Lease> leases = new ArrayList<>();
    List<Map<String, Object>> tokens = new ArrayList<>();
    for (Map.Entry<String, Set<String>> entry : wanted.entrySet()) {
      String leaseId = UUID.randomUUID().toString();
      JWTClaimsSet claims =
          new JWTClaimsSet.Builder()
              .issuer(signer.issuer())
              .subject(job.runAs())
              .audience(entry.getKey())
              .claim("scope", String.join(" ", entry.getValue()))
              .issueTime(Date.from(now))
              .notBeforeTime(Date.from(now))
              .expirationTime(Date.from(expiry))
              .jwtID(leaseId)
              .claim("run_id", job.runId())
              .claim("attempt_id", job.attemptId())
              .build();
      String token = signer.sign(claims, TokenVerifier.JOB_TOKEN);
      leases.add(new Lease(leaseId, entry.getKey(), Lease.JWT, expiry, fingerprint(token)));
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("resource", entry.getKey());
      item.put("token", token);
      item.put("expiresAt", expiry.toString());
      tokens.add(item);
    }
    return new Minted(List.copyOf(leases), encrypt(Map.of("tokens", tokens), poolKey));
  }

  /** Declared resources and their permissions, duplicates merged, in declaration order. */
  private static Map<String, Set<String>> wanted(List<DataAccess> declared)
      throws CredentialFailure {
    Map<String, Set<String>> wanted = new LinkedHashMap<>();
    if (declared == null) {
      return wanted;
    }
    for (DataAccess access : declared) {
      if (access == null || access.resource() == null || access.resource().isBlank()) {
        throw new CredentialFailure("a data access entry names no resource");
      }
      if (access.resource().equals(TokenResource.AUDIENCE)) {
        throw new CredentialFailure(
            "resource '"
                + TokenResource.AUDIENCE
                + "' is Conductor's own API; jobs get no"
                + " credential for it");
      }
      Set<String> permissions =
          wanted.computeIfAbsent(access.resource(), r -> new LinkedHashSet<>());
      if (access.permissions() != null) {
        permissions.addAll(access.permissions());
      }
    }
    return wanted;
  }

  private static String encrypt(Map<String, Object> bundle, ECKey poolKey)
      throws CredentialFailure {
    try {
      JWEObject jwe =
          new JWEObject(
              new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM)
                  .keyID(poolKey.getKeyID())
                  .build(),
              new Payload(EventCodec.toJsonBytes(bundle)));
      jwe.encrypt(new ECDHEncrypter(poolKey));
      return jwe.serialize();
    } catch (JOSEException e) {
      throw new CredentialFailure("the credential bundle cannot be encrypted to the pool key");
    }
  }

  /** SHA-256 of the token, hex: lets an auditor match a presented token without storing it. */
  public static String fingerprint(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
