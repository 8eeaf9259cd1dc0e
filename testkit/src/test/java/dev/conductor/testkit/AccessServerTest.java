package dev.conductor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AccessServerTest {
  private static TestIssuer issuer;
  private static AccessServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    issuer = TestIssuer.start();
    server = AccessServer.start(issuer);
  }

  @AfterAll
  static void stop() {
    server.close();
    issuer.close();
  }

  @Test
  void scopesInheritDownwardBySegment() {
    assertThat(AccessServer.covers("/", "/workspaces/a")).isTrue();
    assertThat(AccessServer.covers("/workspaces/a", "/workspaces/a/pipelines/p")).isTrue();
    assertThat(AccessServer.covers("/workspaces/a", "/workspaces/ab")).isFalse();
    assertThat(AccessServer.covers("/workspaces/a/pipelines/p", "/workspaces/a")).isFalse();
  }

  @Test
  void answersFromGrantsForVerifiedTokensOnly() throws Exception {
    post(
        "/grants",
        null,
        "{\"subject\":\"ann\",\"permission\":\"pipeline.run\",\"scope\":\"/workspaces/w\"}");
    String body = "{\"permission\":\"pipeline.run\",\"scope\":\"/workspaces/w/pipelines/p\"}";

    HttpResponse<String> allowed =
        post("/api/v1/access/check", issuer.token("ann", List.of()), body);
    HttpResponse<String> denied =
        post("/api/v1/access/check", issuer.token("ben", List.of()), body);
    HttpResponse<String> foreign = post("/api/v1/access/check", issuer.foreignToken("ann"), body);

    assertThat(allowed.body()).contains("\"effect\":\"allow\"");
    assertThat(denied.body()).contains("\"effect\":\"deny\"");
    assertThat(foreign.statusCode()).isEqualTo(401);
  }

  private HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
