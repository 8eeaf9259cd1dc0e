package dev.conductor.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server that speaks the broker's access-check protocol ({@code POST
 * /api/v1/access/check}) for module tests of the other services, which cannot start the broker. It
 * verifies the bearer token against the test issuer's keys (401 otherwise) and answers from the
 * grants a test sets ({@code POST /grants}, {@code DELETE /grants}); scopes inherit downward like
 * the broker's. The broker's own tests cover the real policy evaluation.
 */
public final class AccessServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The client secret of every service in tests (its client id is any name). */
  public static final String SERVICE_SECRET = "test-service-secret";

  private final HttpServer server;
  private final TestIssuer issuer;
  private final DefaultJWTProcessor<SecurityContext> tokens;
  // A token a service asks about on behalf of someone may be for the API or for the triggers.
  private final DefaultJWTProcessor<SecurityContext> askedAbout;
  private final List<Grant> grants = new CopyOnWriteArrayList<>();
  private final AtomicInteger checks = new AtomicInteger();
  private volatile String policyVersion = "test-1";

  /** One permission held by one subject at a scope and below it. */
  public record Grant(String subject, String permission, String scope) {}

  private AccessServer(TestIssuer issuer) throws IOException {
    this.issuer = issuer;
    askedAbout = processor(issuer, Set.of(TestIssuer.AUDIENCE, "conductor-triggers"));
    tokens = processor(issuer, Set.of(TestIssuer.AUDIENCE));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/access/check", this::check);
    server.createContext("/grants", this::grants);
    server.createContext("/oauth2/token", this::serviceToken);
    server.start();
  }

  /** Verifies the test issuer's tokens for any of {@code audiences}. */
  private static DefaultJWTProcessor<SecurityContext> processor(
      TestIssuer issuer, Set<String> audiences) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            JWSAlgorithm.ES256, new ImmutableJWKSet<>(issuer.publicKeys())));
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            audiences,
            new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(),
            Set.of("sub", "exp"),
            null));
    return processor;
  }

  public static AccessServer start(TestIssuer issuer) {
    try {
      return new AccessServer(issuer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** How many access checks were asked (a cached decision is not asked again). */
  public int checks() {
    return checks.get();
  }

  /** The policy version answers name from now on. */
  public void policyVersion(String version) {
    this.policyVersion = version;
  }

  private void check(HttpExchange exchange) throws IOException {
    checks.incrementAndGet();
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String subject;
    try {
      subject = tokens.process(header.substring("Bearer ".length()).trim(), null).getSubject();
    } catch (Exception e) {
      // As the broker answers it: the platform's unauthenticated problem, which clients read.
      respond(
          exchange,
          401,
          Map.of(
              "type",
              "https://conductor.dev/problems/unauthenticated",
              "title",
              "Unauthenticated",
              "status",
              401));
      return;
    }
    JsonNode body = JSON.readTree(exchange.getRequestBody());
    if (body.hasNonNull("token")) {
      // Asked on behalf of a token, as the broker answers: for that token's subject; deny if it
      // does not verify.
      try {
        subject = askedAbout.process(body.get("token").asText(), null).getSubject();
      } catch (Exception e) {
        subject = null;
      }
    }
    String asked = subject;
    String permission = body.path("permission").asText();
    String scope = body.path("scope").asText();
    boolean allowed =
        grants.stream()
            .anyMatch(
                g ->
                    g.subject().equals(asked)
                        && (g.permission().equals(permission) || g.permission().equals("*"))
                        && covers(g.scope(), scope));
    respond(
        exchange,
        200,
        Map.of(
            "decisionId",
            UUID.randomUUID().toString(),
            "effect",
            allowed ? "allow" : "deny",
            "reasons",
            List.of(allowed ? "granted" : "no grant of " + permission + " on " + scope),
            "policyVersion",
            policyVersion));
  }

  /** The client-credentials endpoint for services under test: any id, {@link #SERVICE_SECRET}. */
  private void serviceToken(HttpExchange exchange) throws IOException {
    String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> fields = new java.util.HashMap<>();
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(
            java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    String id = fields.get("client_id");
    if (id == null || !SERVICE_SECRET.equals(fields.get("client_secret"))) {
      respond(exchange, 401, Map.of("error", "invalid_client"));
      return;
    }
    respond(
        exchange,
        200,
        Map.of(
            "access_token",
            issuer.token(id, List.of("conductor-services")),
            "token_type",
            "Bearer",
            "expires_in",
            (int) TestIssuer.LIFETIME.toSeconds()));
  }

  private void grants(HttpExchange exchange) throws IOException {
    if ("DELETE".equals(exchange.getRequestMethod())) {
      grants.clear();
    } else {
      grants.add(JSON.readValue(exchange.getRequestBody(), Grant.class));
    }
    respond(exchange, 200, Map.of("grants", grants.size()));
  }

  /** Segment-wise prefix: {@code /workspaces/a} covers {@code /workspaces/a/pipelines/p}. */
  static boolean covers(String granted, String requested) {
    if (granted.equals("/") || granted.equals(requested)) {
      return true;
    }
    return requested.startsWith(granted.endsWith("/") ? granted : granted + "/");
  }

  private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
