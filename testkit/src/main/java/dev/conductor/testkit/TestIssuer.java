package dev.conductor.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OIDC issuer for tests: discovery document and JWKS over HTTP on a free loopback port, and
 * ES256 tokens signed with its one P-256 key. Services under test verify these tokens exactly as
 * they verify production ones, by fetching the JWKS named in the discovery document.
 *
 * <p>Endpoints: {@code /.well-known/openid-configuration}, {@code /jwks}, and {@code /token} (a
 * client-credentials grant without secret checks: the token's subject is the {@code client_id}, its
 * groups the optional space-separated {@code groups} form field).
 */
public final class TestIssuer implements AutoCloseable {
  /** The audience every Conductor service expects. */
  public static final String AUDIENCE = "conductor";

  public static final Duration LIFETIME = Duration.ofMinutes(5);

  private final HttpServer server;
  private final String issuer;
  private final ECKey key;
  private final ECKey foreignKey;
  private final AtomicInteger jwksFetches = new AtomicInteger();

  private TestIssuer(HttpServer server, String issuer, ECKey key) {
    this.server = server;
    this.issuer = issuer;
    this.key = key;
    // Same kid as the published key: verifiers find a key and must fail on the signature itself.
    this.foreignKey = generateKey(key.getKeyID());
  }

  /** Starts an issuer on a free 127.0.0.1 port with a fresh key. */
  public static TestIssuer start() {
    ECKey key = generateKey("test-" + UUID.randomUUID().toString().substring(0, 8));
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the test issuer", e);
    }
    String issuer = "http://127.0.0.1:" + server.getAddress().getPort();
    TestIssuer testIssuer = new TestIssuer(server, issuer, key);
    server.createContext("/.well-known/openid-configuration", testIssuer::discovery);
    server.createContext("/jwks", testIssuer::jwks);
    server.createContext("/token", testIssuer::tokenEndpoint);
    server.start();
    return testIssuer;
  }

  /**
   * Mints tokens for an issuer served elsewhere (another class loader of this JVM) from its private
   * key; serves nothing itself.
   */
  static TestIssuer attach(String issuer, ECKey key) {
    return new TestIssuer(null, issuer, key);
  }

  /** The issuer URL, e.g. {@code http://127.0.0.1:41234}; also the {@code iss} claim. */
  public String issuer() {
    return issuer;
  }

  public String jwksUri() {
    return issuer + "/jwks";
  }

  /** The published (public) key set. */
  public JWKSet publicKeys() {
    return new JWKSet(key.toPublicJWK());
  }

  /** The signing key, private part included: for handing the issuer to another class loader. */
  ECKey signingKey() {
    return key;
  }

  /**
   * The claims {@link #token(String, List)} signs: iss, sub, aud, iat, nbf, exp (+5 min), jti and
   * groups. Tests adjust them (expired, wrong audience) and sign with {@link #token(JWTClaimsSet)}.
   */
  public JWTClaimsSet.Builder claims(String subject, List<String> groups) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(subject)
        .audience(AUDIENCE)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(LIFETIME)))
        .jwtID(UUID.randomUUID().toString())
        .claim("groups", List.copyOf(groups));
  }

  /** A valid token for {@code subject} in {@code groups}. */
  public String token(String subject, List<String> groups) {
    return token(claims(subject, groups).build());
  }

  /** Signs exactly these claims with the published key. */
  public String token(JWTClaimsSet claims) {
    return sign(key, claims, JOSEObjectType.JWT);
  }

  /** Signs these claims with the published key as a token of {@code type} (its {@code typ}). */
  public String token(JWTClaimsSet claims, JOSEObjectType type) {
    return sign(key, claims, type);
  }

  /** A token that looks valid but is signed by a key that is not in the JWKS. */
  public String foreignToken(String subject) {
    return sign(foreignKey, claims(subject, List.of()).build(), JOSEObjectType.JWT);
  }

  /** A token signed by a key whose id the JWKS does not list (each call a new one). */
  public String unknownKeyToken(String subject) {
    return sign(
        generateKey("unknown-" + UUID.randomUUID()),
        claims(subject, List.of()).build(),
        JOSEObjectType.JWT);
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static String sign(ECKey signingKey, JWTClaimsSet claims, JOSEObjectType type) {
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(type).keyID(signingKey.getKeyID()).build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(new ECDSASigner(signingKey));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign test token", e);
    }
    return jwt.serialize();
  }

  private static ECKey generateKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyID(kid)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate P-256 key", e);
    }
  }

  private void discovery(HttpExchange exchange) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuer);
    doc.put("jwks_uri", jwksUri());
    doc.put("token_endpoint", issuer + "/token");
    doc.put("id_token_signing_alg_values_supported", List.of("ES256"));
    doc.put("subject_types_supported", List.of("public"));
    doc.put("response_types_supported", List.of("token"));
    doc.put("grant_types_supported", List.of("client_credentials"));
    respond(exchange, "GET", 200, JSONObjectUtils.toJSONString(doc));
  }

  /** How many times the JWKS was fetched. */
  public int jwksFetches() {
    return jwksFetches.get();
  }

  private void jwks(HttpExchange exchange) throws IOException {
    jwksFetches.incrementAndGet();
    respond(exchange, "GET", 200, JSONObjectUtils.toJSONString(publicKeys().toJSONObject(true)));
  }

  private void tokenEndpoint(HttpExchange exchange) throws IOException {
    Map<String, String> form =
        parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String clientId = form.get("client_id");
    if (!"client_credentials".equals(form.get("grant_type")) || clientId == null) {
      respond(exchange, "POST", 400, "{\"error\":\"unsupported_grant_type\"}");
      return;
    }
    String groups = form.getOrDefault("groups", "").trim();
    String token =
        token(clientId, groups.isEmpty() ? List.of() : Arrays.asList(groups.split("\\s+")));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", token);
    body.put("token_type", "Bearer");
    body.put("expires_in", LIFETIME.toSeconds());
    respond(exchange, "POST", 200, JSONObjectUtils.toJSONString(body));
  }

  private static Map<String, String> parseForm(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  private static void respond(HttpExchange exchange, String method, int status, String json)
      throws IOException {
    try (exchange) {
      if (!method.equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
