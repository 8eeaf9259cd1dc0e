package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.deploy.local.Seed;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** REST calls to the running stack as a demo principal (tokens from the local issuer). */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Where the problem types of the services' catalogue live (platform's ProblemType). */
  static final String PROBLEMS = "https://conductor.dev/problems/";

  /**
   * An answer: status, body (JSON where it parses, else a text node) and {@code Retry-After} (null
   * when absent).
   */
  record Answer(int status, JsonNode body, String retryAfter) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    /**
     * The problem's kind, the slug of its {@code type} ({@code not-found}, {@code denied}, …); null
     * for an answer that is not one of the catalogue's problems.
     */
    String kind() {
      String type = body.path("type").asText("");
      return type.startsWith(PROBLEMS) ? type.substring(PROBLEMS.length()) : null;
    }

    boolean is(String kind) {
      return kind.equals(kind());
    }

    /**
     * A problem answer readably, on one line: its kind from the catalogue (the slug of its {@code
     * type}), the detail, the access decision behind a denial and when to retry, e.g. {@code
     * denied: alice lacks pipeline.run on /workspaces/demo (decision 3f…)}.
     */
    String problem() {
      String kind = kind() != null ? kind() : "HTTP " + status;
      String detail = body.path("detail").asText(body.path("title").asText(body.toString()));
      StringBuilder text = new StringBuilder(kind).append(": ").append(detail);
      if (body.hasNonNull("decisionId")) {
        text.append(" (decision ").append(body.get("decisionId").asText()).append(")");
      }
      if (retryAfter != null) {
        text.append(" (retry in ").append(retryAfter).append(" s)");
      }
      return text.toString();
    }
  }

  private final StackFile stack;
  private final Seed seed;
  private final Map<String, String> tokens = new HashMap<>();

  Api(StackFile stack) {
    this.stack = stack;
    this.seed = Seed.read(stack.seed());
  }

  /** A fresh token for {@code principal} from the broker's client-credentials endpoint. */
  String freshToken(String principal) {
    return freshToken(principal, LocalStack.API_AUDIENCE);
  }

  /** As above, for {@code audience} (the API's, or the triggers' on Kafka). */
  String freshToken(String principal, String audience) {
    String secret;
    try {
      secret = seed.secret(principal);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "no principal "
              + principal
              + " in this stack (see principals in the workspace document)");
    }
    String form =
        "grant_type=client_credentials&audience="
            + URLEncoder.encode(audience, StandardCharsets.UTF_8)
            + "&client_id="
            + URLEncoder.encode(principal, StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    Answer answer =
        send(
            HttpRequest.newBuilder(URI.create(stack.url(LocalStack.BROKER) + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    if (!answer.ok()) {
      throw new IllegalStateException(
          "the token endpoint refused " + principal + ": " + answer.problem());
    }
    return answer.body().path("access_token").asText();
  }

  private String token(String principal) {
    return tokens.computeIfAbsent(principal, this::freshToken);
  }

  Answer get(String principal, String url) {
    return send(auth(principal, url).GET());
  }

  Answer put(String principal, String url, JsonNode body) {
    return send(
        auth(principal, url)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  Answer post(String principal, String url, JsonNode body) {
    return send(
        auth(principal, url)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  private HttpRequest.Builder auth(String principal, String url) {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token(principal));
  }

  static Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body;
      try {
        body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
      } catch (IOException e) {
        body = JSON.getNodeFactory().textNode(response.body());
      }
      return new Answer(
          response.statusCode(), body, response.headers().firstValue("Retry-After").orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot reach " + request.build().uri() + " (" + e + "): is the stack up?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
