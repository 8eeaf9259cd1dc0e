package dev.conductor.executor.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.auth.ServiceTokens;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The scheduler's executor API (claim, registration) with this executor's client-credentials token.
 * Blocking (the async claim too reads its token blocking): call it from a worker thread.
 */
@ApplicationScoped
public class SchedulerClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String baseUrl;
  private final ServiceTokens tokens;

  public SchedulerClient(SchedulerSettings settings, ServiceTokens tokens) {
    String baseUrl = settings.url();
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.tokens = tokens;
  }

  /** One dispatched attempt to claim in a batch. */
  public record Wanted(String attemptId, int dispatch) {}

  /**
   * Claims several dispatched attempts of {@code pool} in one request (and one transaction at the
   * scheduler), telling it which attempts {@code ended} here; answers in the order asked. The
   * future fails with {@link SchedulerUnavailable} when the batch as a whole is not answered.
   */
  public CompletableFuture<List<Claim>> claimAllAsync(
      String pool, String executorId, List<Wanted> wanted, List<String> ended) {
    HttpRequest request;
    try {
      request =
          request(
              "POST",
              "/api/v1/pools/" + segment(pool) + "/claims",
              batchBody(executorId, wanted, ended));
    } catch (SchedulerUnavailable e) {
      return CompletableFuture.failedFuture(e);
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (response, error) -> {
              if (error != null) {
                throw new SchedulerUnavailable("the scheduler cannot be reached: " + error);
              }
              if (response.statusCode() != 200) {
                throw new SchedulerUnavailable(
                    "a claim of "
                        + wanted.size()
                        + " attempts answered "
                        + response.statusCode()
                        + ": "
                        + detail(response.body()));
              }
              return batchAnswers(wanted, read(response.body()).path("answers"));
            });
  }

  private static List<Claim> batchAnswers(List<Wanted> wanted, JsonNode answers) {
    if (!answers.isArray() || answers.size() != wanted.size()) {
      throw new SchedulerUnavailable(
          "a claim of " + wanted.size() + " attempts got " + answers.size() + " answers");
    }
    List<Claim> claims = new ArrayList<>(wanted.size());
    for (JsonNode answer : answers) {
      if (answer.path("granted").asBoolean(false)) {
        claims.add(granted(answer));
        continue;
      }
      String kind = answer.path("refused").asText("");
      String detail = answer.path("detail").asText("");
      claims.add(
          "unknown".equals(kind)
              ? new Claim.Unknown(detail)
              : new Claim.Refused("no-capacity".equals(kind), detail));
    }
    return claims;
  }

  private static byte[] batchBody(String executorId, List<Wanted> wanted, List<String> ended) {
    try {
      return EventCodec.JSON.writeValueAsBytes(
          Map.of("executorId", executorId, "claims", wanted, "ended", ended));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Declares (or renews) this executor's slots in the pool; returns the pool's capacity. */
  public int register(String pool, String executorId, int slots) {
    HttpResponse<byte[]> response =
        send(
            "PUT",
            "/api/v1/pools/" + segment(pool) + "/executors/" + segment(executorId),
            json("slots", slots));
    if (response.statusCode() != 200) {
      throw new SchedulerUnavailable(
          "registration answered " + response.statusCode() + ": " + detail(response.body()));
    }
    return read(response.body()).path("capacity").asInt(-1);
  }

  private HttpRequest request(String method, String path, byte[] body) {
    String token;
    try {
      token = tokens.token();
    } catch (RuntimeException e) {
      throw new SchedulerUnavailable("no service token: " + e.getMessage());
    }
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private HttpResponse<byte[]> send(String method, String path, byte[] body) {
    HttpRequest request = request(method, path, body);
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new SchedulerUnavailable("the scheduler cannot be reached: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchedulerUnavailable("interrupted while calling the scheduler");
    }
  }

  private static Claim.Granted granted(JsonNode json) {
    String lease = json.path("leaseExpiresAt").asText(null);
    String deadline = json.path("deadline").asText(null);
    return new Claim.Granted(
        lease == null ? null : Instant.parse(lease),
        json.path("heartbeatIntervalMs").asLong(0),
        deadline == null ? null : Instant.parse(deadline));
  }

  private static String detail(byte[] body) {
    JsonNode json = read(body);
    String detail = json.path("detail").asText(json.path("title").asText(""));
    return detail.length() > 200 ? detail.substring(0, 200) : detail;
  }

  private static JsonNode read(byte[] body) {
    try {
      return EventCodec.JSON.readTree(body == null || body.length == 0 ? "{}".getBytes() : body);
    } catch (IOException e) {
      return EventCodec.JSON.createObjectNode();
    }
  }

  private static byte[] json(String field, Object value) {
    try {
      return EventCodec.JSON.writeValueAsBytes(Map.of(field, value));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
