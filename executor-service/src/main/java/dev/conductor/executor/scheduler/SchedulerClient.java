package dev.conductor.executor.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.auth.ServiceTokens;
import dev.conductor.platform.kafka.Rejected;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The scheduler's executor API (claim, registration) with this executor's client-credentials token.
 * Blocking (the async claim too reads its token blocking): call it from a worker thread.
 */
@ApplicationScoped
public class SchedulerClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** The problem type of a claim refused for lack of a free slot (the scheduler's Claims). */
  private static final String NO_CAPACITY = "/no-capacity";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String baseUrl;
  private final ServiceTokens tokens;

  public SchedulerClient(
      @ConfigProperty(name = "conductor.scheduler.url") String baseUrl, ServiceTokens tokens) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.tokens = tokens;
  }

  /**
   * Claims dispatch {@code dispatch} of an attempt for {@code executorId}, telling the scheduler
   * which attempts {@code ended} here (outcomes published), without waiting for the answer: many
   * claims are in flight at once. The token is read on the calling thread (it may block to renew
   * it). The future fails with {@link Rejected} when the scheduler does not know the attempt (never
   * retried) and with {@link SchedulerUnavailable} for anything else that is not a grant or a
   * refusal.
   */
  public CompletableFuture<Claim> claimAsync(
      String attemptId, int dispatch, String executorId, List<String> ended) {
    HttpRequest request;
    try {
      request =
          request(
              "POST",
              "/api/v1/attempts/" + segment(attemptId) + "/claim",
              claimBody(executorId, dispatch, ended));
    } catch (SchedulerUnavailable e) {
      return CompletableFuture.failedFuture(e);
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (response, error) -> {
              if (error != null) {
                throw new SchedulerUnavailable("the scheduler cannot be reached: " + error);
              }
              return claimAnswer(attemptId, response);
            });
  }

  private static Claim claimAnswer(String attemptId, HttpResponse<byte[]> response) {
    return switch (response.statusCode()) {
      case 200 -> granted(response.body());
      case 409 ->
          new Claim.Refused(
              read(response.body()).path("type").asText("").endsWith(NO_CAPACITY),
              detail(response.body()));
      case 404 -> throw new Rejected("the scheduler does not know attempt " + attemptId);
      default ->
          throw new SchedulerUnavailable(
              "claim of "
                  + attemptId
                  + " answered "
                  + response.statusCode()
                  + ": "
                  + detail(response.body()));
    };
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

  private static Claim.Granted granted(byte[] body) {
    JsonNode json = read(body);
    String lease = json.path("leaseExpiresAt").asText(null);
    String deadline = json.path("deadline").asText(null);
    return new Claim.Granted(
        lease == null ? null : Instant.parse(lease),
        json.path("heartbeatIntervalMs").asLong(0),
        deadline == null ? null : Instant.parse(deadline));
  }

  private static byte[] claimBody(String executorId, int dispatch, List<String> ended) {
    try {
      return EventCodec.JSON.writeValueAsBytes(
          Map.of("executorId", executorId, "dispatch", dispatch, "ended", ended));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
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
