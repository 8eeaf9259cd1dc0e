package dev.conductor.platform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.problem.ProblemException;
import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The client for the broker's {@code POST /api/v1/access/check}, sent with the caller's own token.
 * Decisions are cached a few seconds; when the broker cannot be reached the answer is 503, never
 * allow.
 */
@DefaultBean
@ApplicationScoped
public class HttpAccessChecker implements AccessChecker {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int SWEEP_AT = 1_000;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final String url;
  private final Duration ttl;
  private final Clock clock;

  public HttpAccessChecker(
      @ConfigProperty(name = "conductor.access.url") String brokerUrl,
      @ConfigProperty(name = "conductor.access.cache-seconds", defaultValue = "5") int cacheSeconds,
      Clock clock) {
    this.url = brokerUrl.replaceAll("/$", "") + "/api/v1/access/check";
    this.ttl = Duration.ofSeconds(cacheSeconds);
    this.clock = clock;
  }

  @Override
  public Uni<AccessDecision> check(Caller caller, String permission, String scope) {
    String key = fingerprint(caller.token()) + " " + permission + " " + scope;
    Cached hit = cache.get(key);
    if (hit != null && hit.until().isAfter(clock.instant())) {
      return Uni.createFrom().item(hit.decision());
    }
    byte[] body = EventCodec.toJsonBytes(Map.of("permission", permission, "scope", scope));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + caller.token())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return Uni.createFrom()
        .completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()))
        .onFailure()
        .transform(e -> ProblemException.unavailable("the access check cannot be reached"))
        .map(response -> decode(response))
        .invoke(decision -> remember(key, decision));
  }

  /**
   * Caches a decision. Every Kafka trigger carries a token of its own, so keys never repeat there:
   * expired entries are swept once the cache grows, or it would hold every token ever checked.
   */
  private void remember(String key, AccessDecision decision) {
    Instant now = clock.instant();
    if (cache.size() >= SWEEP_AT) {
      cache.values().removeIf(c -> !c.until().isAfter(now));
    }
    cache.put(key, new Cached(decision, now.plus(ttl)));
  }

  private static AccessDecision decode(HttpResponse<byte[]> response) {
    if (response.statusCode() == 401) {
      throw ProblemException.unauthorized("the token was refused by the access check");
    }
    if (response.statusCode() != 200) {
      throw ProblemException.unavailable(
          "the access check answered " + response.statusCode() + ", so access is not granted");
    }
    try {
      JsonNode json = EventCodec.JSON.readTree(response.body());
      List<String> reasons = new ArrayList<>();
      json.path("reasons").forEach(r -> reasons.add(r.asText()));
      return new AccessDecision(
          json.path("decisionId").asText(null), json.path("effect").asText("deny"), reasons);
    } catch (IOException e) {
      throw ProblemException.unavailable("the access check answered something unreadable");
    }
  }

  static String fingerprint(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Cached(AccessDecision decision, Instant until) {}
}
