package dev.conductor.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.conductor.embedded.PoolKeys;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.TokenVerifier;
import dev.conductor.testkit.IssuerTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server in the test JVM standing in for the scheduler's executor API (claim and
 * registration) and the broker's token endpoint. It accepts only tokens of the test issuer for
 * {@code executor-dev}, answers batch claims by granting the first claim of each attempt and
 * refusing every later one ({@code not-claimable}), and records what it was asked. Tests read its
 * records over HTTP ({@code /test/...}) because Quarkus may load this class in another class loader
 * than the test's.
 *
 * <p>Config: {@code conductor.scheduler.url}, {@code conductor.client.token-url}, {@code
 * conductor.client.secret}, and {@code conductor.executor.private-key-file} (a fresh dev pool key).
 */
public class FakeScheduler implements QuarkusTestResourceLifecycleManager {
  public static final String CLIENT = "executor-dev";
  public static final long HEARTBEAT_MS = 300;

  /** A batch claim naming an attempt whose id starts with this always fails with 500. */
  public static final String BROKEN = "broken-";

  private static final Pattern CLAIMS = Pattern.compile("^/api/v1/pools/([^/]+)/claims$");
  private static final Pattern REGISTER =
      Pattern.compile("^/api/v1/pools/([^/]+)/executors/([^/]+)$");

  private final Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();
  private final List<Map<String, Object>> registrations = new ArrayList<>();
  private HttpServer server;
  private TokenVerifier verifier;

  @Override
  public Map<String, String> start() {
    String issuer = IssuerTestResource.issuer().issuer();
    verifier = new TokenVerifier(List.of(issuer), "conductor");
    Path keys;
    try {
      keys = Files.createTempDirectory("executor-pool-keys");
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path privateKey = PoolKeys.generate(keys, List.of("dev")).get("dev");
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/oauth2/token", this::token);
    server.createContext("/api/v1/", this::api);
    server.createContext("/test/", this::records);
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    Map<String, String> config = new LinkedHashMap<>();
    config.put("conductor.scheduler.url", url);
    config.put("conductor.client.token-url", url + "/oauth2/token");
    config.put("conductor.client.secret", "test-secret");
    config.put("conductor.executor.private-key-file", privateKey.toString());
    return config;
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private void token(HttpExchange exchange) throws IOException {
    String form = new String(exchange.getRequestBody().readAllBytes());
    if (!form.contains("client_id=" + CLIENT) || !form.contains("client_secret=test-secret")) {
      respond(exchange, 401, "application/json", Map.of("error", "invalid_client"));
      return;
    }
    respond(
        exchange,
        200,
        "application/json",
        Map.of(
            "access_token",
            IssuerTestResource.issuer().token(CLIENT, List.of()),
            "token_type",
            "Bearer",
            "expires_in",
            300));
  }

  private void api(HttpExchange exchange) throws IOException {
    Caller caller;
    try {
      caller = verifier.verifyHeader(exchange.getRequestHeaders().getFirst("Authorization"));
    } catch (RuntimeException e) {
      problem(exchange, 401, "Unauthorized", e.getMessage());
      return;
    }
    if (!CLIENT.equals(caller.subject())) {
      problem(exchange, 403, "Forbidden", caller.subject() + " is not this pool's executor");
      return;
    }
    String path = exchange.getRequestURI().getPath();
    JsonNode body = EventCodec.JSON.readTree(exchange.getRequestBody().readAllBytes());
    Matcher batch = CLAIMS.matcher(path);
    Matcher register = REGISTER.matcher(path);
    if (batch.matches() && "POST".equals(exchange.getRequestMethod())) {
      claimAll(exchange, body);
    } else if (register.matches() && "PUT".equals(exchange.getRequestMethod())) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("pool", register.group(1));
      record.put("executorId", register.group(2));
      record.put("slots", body.path("slots").asInt());
      record.put("subject", caller.subject());
      synchronized (registrations) {
        registrations.add(record);
      }
      respond(
          exchange,
          200,
          "application/json",
          Map.of("pool", register.group(1), "capacity", body.path("slots").asInt()));
    } else {
      problem(exchange, 404, "Not Found", path);
    }
  }

  private void claimAll(HttpExchange exchange, JsonNode body) throws IOException {
    List<Map<String, Object>> answers = new ArrayList<>();
    boolean broken = false;
    for (JsonNode claim : body.path("claims")) {
      String attemptId = claim.path("attemptId").asText();
      int n = claims.computeIfAbsent(attemptId, k -> new AtomicInteger()).incrementAndGet();
      broken |= attemptId.startsWith(BROKEN);
      if (claim.path("dispatch").asInt(0) < 1) {
        problem(exchange, 400, "Invalid request", "dispatch is required");
        return;
      }
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("attemptId", attemptId);
      answer.put("granted", n == 1 && !body.path("executorId").asText().isBlank());
      if (n == 1) {
        answer.put("leaseExpiresAt", Instant.now().plusSeconds(30).toString());
        answer.put("heartbeatIntervalMs", HEARTBEAT_MS);
      } else {
        answer.put("refused", "not-claimable");
        answer.put("detail", "attempt " + attemptId + " is already claimed");
      }
      answers.add(answer);
    }
    if (broken) {
      problem(exchange, 500, "Internal Server Error", "the ledger is on fire");
      return;
    }
    respond(exchange, 200, "application/json", Map.of("answers", answers));
  }

  private void records(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/test/registrations")) {
      synchronized (registrations) {
        respond(exchange, 200, "application/json", List.copyOf(registrations));
      }
    } else if (path.startsWith("/test/claims/")) {
      AtomicInteger n = claims.get(path.substring("/test/claims/".length()));
      respond(exchange, 200, "application/json", Map.of("claims", n == null ? 0 : n.get()));
    } else {
      problem(exchange, 404, "Not Found", path);
    }
  }

  private static void problem(HttpExchange exchange, int status, String title, String detail)
      throws IOException {
    respond(
        exchange,
        status,
        "application/problem+json",
        Map.of("type", "about:blank", "title", title, "status", status, "detail", detail));
  }

  private static void respond(HttpExchange exchange, int status, String type, Object body)
      throws IOException {
    try (exchange) {
      byte[] bytes = EventCodec.JSON.writeValueAsBytes(body);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
