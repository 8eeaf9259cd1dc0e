package dev.conductor.platform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This service's own client-credentials token from the broker, for calls to other services; fetched
 * when first needed and renewed a minute before it expires.
 */
@ApplicationScoped
public class ServiceTokens {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Optional<String> tokenUrl;
  private final Optional<String> clientId;
  private final Optional<String> clientSecret;
  private final Clock clock;
  private volatile String token;
  private volatile Instant renewAt = Instant.EPOCH;

  public ServiceTokens(ClientSettings settings, Clock clock) {
    this.tokenUrl = settings.tokenUrl();
    this.clientId = settings.id();
    this.clientSecret = settings.secret();
    this.clock = clock;
  }

  /**
   * Fails unless this service's client credentials are configured: a service that cannot work
   * without calling others checks at start, and refuses to start saying what is missing, rather
   * than failing at its first call.
   */
  public void requireCredentials() {
    List<String> missing = new ArrayList<>();
    if (tokenUrl.isEmpty()) {
      missing.add("conductor.client.token-url (env CONDUCTOR_CLIENT_TOKEN_URL)");
    }
    if (clientId.isEmpty()) {
      missing.add("conductor.client.id (env CONDUCTOR_CLIENT_ID)");
    }
    if (clientSecret.isEmpty()) {
      missing.add("conductor.client.secret (env CONDUCTOR_CLIENT_SECRET)");
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "this service calls others with its own client credentials; missing: "
              + String.join(", ", missing));
    }
  }

  /** A valid token; blocks while fetching a new one, so call it off the event loop. */
  public synchronized String token() {
    if (token != null && clock.instant().isBefore(renewAt)) {
      return token;
    }
    requireCredentials();
    String form =
        "grant_type=client_credentials&client_id="
            + URLEncoder.encode(clientId.get(), StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(clientSecret.get(), StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(tokenUrl.get()))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw ProblemException.unavailable("the token endpoint answered " + response.statusCode());
      }
      JsonNode json = EventCodec.JSON.readTree(response.body());
      token = json.path("access_token").asText();
      long expiresIn = json.path("expires_in").asLong(300);
      renewAt = clock.instant().plusSeconds(Math.max(5, expiresIn - 60));
      return token;
    } catch (java.io.IOException e) {
      throw ProblemException.unavailable("the token endpoint cannot be reached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProblemException.unavailable("interrupted while fetching a token");
    }
  }
}
