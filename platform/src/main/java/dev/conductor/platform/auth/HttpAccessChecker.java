package dev.conductor.platform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.problem.ProblemType;
import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client for the broker's {@code POST /api/v1/access/check}, sent with the caller's own token.
 * When the broker cannot be reached the answer is 503, never allow.
 *
 * <p>Decisions (allow and deny) are cached per token, permission and scope until the token expires
 * (at most {@code conductor.access.cache-max}) or the policy version changes: the broker announces
 * every new version with a {@code config.changed} on {@code conductor.changes.identity-broker},
 * which {@link PolicyWatch} follows, and a decision made under another version is asked again.
 * While the watch is not caught up (Kafka unreachable), a decision lives only {@code
 * conductor.access.cache}, as before the watch.
 */
@DefaultBean
@ApplicationScoped
public class HttpAccessChecker implements AccessChecker {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int SWEEP_AT = 1_000;
  // A watch that has not been caught up for this long no longer vouches for cached decisions.
  private static final Duration WATCH_STALE_AFTER = Duration.ofSeconds(30);
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<AccessDecision>> inFlight = new ConcurrentHashMap<>();
  private final String url;
  private final Duration unwatchedTtl;
  private final Duration maxTtl;
  private final PolicyWatch watch;
  private final Clock clock;

  private final ServiceTokens tokens;

  @Inject
  public HttpAccessChecker(
      AccessSettings settings, PolicyWatch watch, ServiceTokens tokens, Clock clock) {
    this(settings.url(), settings.cache(), settings.cacheMax(), watch, tokens, clock);
  }

  public HttpAccessChecker(
      String brokerUrl, Duration cache, Duration cacheMax, PolicyWatch watch, Clock clock) {
    this(brokerUrl, cache, cacheMax, watch, null, clock);
  }

  public HttpAccessChecker(
      String brokerUrl,
      Duration cache,
      Duration cacheMax,
      PolicyWatch watch,
      ServiceTokens tokens,
      Clock clock) {
    this.tokens = tokens;
    this.url = brokerUrl.replaceAll("/$", "") + "/api/v1/access/check";
    this.unwatchedTtl = cache;
    this.maxTtl = cacheMax;
    this.watch = watch;
    this.clock = clock;
  }

  @Override
  public Uni<AccessDecision> check(Caller caller, String permission, String scope) {
    return cached(caller, permission, scope, false);
  }

  @Override
  public Uni<AccessDecision> checkOnBehalf(Caller caller, String permission, String scope) {
    return cached(caller, permission, scope, true);
  }

  private Uni<AccessDecision> cached(
      Caller caller, String permission, String scope, boolean onBehalf) {
    watch.start();
    String key = fingerprint(caller.token()) + " " + permission + " " + scope;
    Cached hit = cache.get(key);
    if (hit != null && stillValid(hit, clock.instant())) {
      return Uni.createFrom().item(hit.decision());
    }
    // One question per key at a time: a burst of requests with one token asks the broker once.
    CompletableFuture<AccessDecision> asked = new CompletableFuture<>();
    CompletableFuture<AccessDecision> pending = inFlight.putIfAbsent(key, asked);
    if (pending == null) {
      pending = asked;
      (onBehalf ? askOnBehalf(caller, permission, scope) : ask(caller, permission, scope))
          .whenComplete(
              (decision, error) -> {
                if (error == null) {
                  remember(key, decision, caller.expires());
                }
                inFlight.remove(key, asked);
                if (error == null) {
                  asked.complete(decision);
                } else {
                  asked.completeExceptionally(error);
                }
              });
    }
    return Uni.createFrom().completionStage(pending);
  }

  private CompletableFuture<AccessDecision> ask(Caller caller, String permission, String scope) {
    return send(caller.token(), Map.of("permission", permission, "scope", scope));
  }

  /** Asked with this service's own token, naming the caller's token in the body. */
  private CompletableFuture<AccessDecision> askOnBehalf(
      Caller caller, String permission, String scope) {
    if (tokens == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("no service credentials to ask on behalf of a token"));
    }
    // Fetching this service's token may block on the broker: not on the caller's thread.
    return CompletableFuture.supplyAsync(tokens::token, Infrastructure.getDefaultWorkerPool())
        .exceptionally(
            e -> {
              throw ProblemException.unavailable("this service's own token cannot be had");
            })
        .thenCompose(
            own ->
                send(
                    own,
                    Map.of("permission", permission, "scope", scope, "token", caller.token())));
  }

  private CompletableFuture<AccessDecision> send(String bearer, Map<String, String> question) {
    byte[] body = EventCodec.toJsonBytes(question);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (response, error) -> {
              if (error != null) {
                throw ProblemException.unavailable("the access check cannot be reached");
              }
              return decode(response);
            });
  }

  /**
   * A cached decision stands while its token is valid and the policy it was made under is still the
   * latest the watch has seen; without a current watch, only briefly.
   */
  private boolean stillValid(Cached cached, Instant now) {
    if (!now.isBefore(cached.until())) {
      return false;
    }
    if (!watch.current(WATCH_STALE_AFTER) || cached.decidedAt().isBefore(watch.followingSince())) {
      // Nobody would tell this decision that the policy changed: it lives only briefly.
      return now.isBefore(cached.decidedAt().plus(unwatchedTtl));
    }
    String latest = watch.version();
    return latest == null || latest.equals(cached.decision().policyVersion());
  }

  /**
   * Caches a decision. Every Kafka trigger carries a token of its own, so keys never repeat there:
   * expired entries are swept once the cache grows, or it would hold every token ever checked.
   */
  private void remember(String key, AccessDecision decision, Instant tokenExpires) {
    Instant now = clock.instant();
    if (cache.size() >= SWEEP_AT) {
      cache.values().removeIf(c -> !stillValid(c, now));
    }
    Instant until = now.plus(maxTtl);
    if (tokenExpires != null && tokenExpires.isBefore(until)) {
      until = tokenExpires;
    }
    cache.put(key, new Cached(decision, now, until));
  }

  /** The kind of a problem answer from the broker; empty for any other body. */
  private static Optional<ProblemType> problemKind(byte[] body) {
    try {
      return ProblemType.ofUri(EventCodec.JSON.readTree(body).path("type").asText(null));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static AccessDecision decode(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      Optional<ProblemType> kind = problemKind(response.body());
      if (kind.equals(Optional.of(ProblemType.UNAUTHENTICATED))) {
        throw ProblemException.unauthorized("the token was refused by the access check");
      }
      throw ProblemException.unavailable(
          "the access check answered "
              + kind.map(ProblemType::slug).orElse("HTTP " + response.statusCode())
              + ", so access is not granted");
    }
    try {
      JsonNode json = EventCodec.JSON.readTree(response.body());
      List<String> reasons = new ArrayList<>();
      json.path("reasons").forEach(r -> reasons.add(r.asText()));
      return new AccessDecision(
          json.path("decisionId").asText(null),
          json.path("effect").asText("deny"),
          reasons,
          json.path("policyVersion").asText(null));
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

  private record Cached(AccessDecision decision, Instant decidedAt, Instant until) {}
}
