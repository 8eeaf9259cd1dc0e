package dev.conductor.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * The JVM-wide {@link AccessServer} for {@code @QuarkusTest}s. Config: {@code
 * conductor.access.url}. Tests grant with {@code AccessTestResource.grant(subject, permission,
 * scope)}; grants travel over HTTP, so they reach the server whatever class loader the test runs
 * in.
 */
public class AccessTestResource implements QuarkusTestResourceLifecycleManager {
  private static final String URL = "conductor.testkit.shared.access.url";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Override
  public Map<String, String> start() {
    return Map.of(
        "conductor.access.url",
        url(),
        // This service's own credentials, for asking on behalf of a trigger's token.
        "conductor.client.token-url",
        url() + "/oauth2/token",
        "conductor.client.id",
        "service-under-test",
        "conductor.client.secret",
        AccessServer.SERVICE_SECRET);
  }

  @Override
  public void stop() {}

  /** The shared server's base URL, starting it if needed. */
  public static synchronized String url() {
    String url = System.getProperty(URL);
    if (url == null) {
      AccessServer server = AccessServer.start(Shared.issuer());
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "testkit-stop-access"));
      url = server.url();
      System.setProperty(URL, url);
    }
    return url;
  }

  /** Lets {@code subject} use {@code permission} at {@code scope} and below. */
  public static void grant(String subject, String permission, String scope) {
    send(
        HttpRequest.newBuilder(URI.create(url() + "/grants"))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    String.format(
                        "{\"subject\":\"%s\",\"permission\":\"%s\",\"scope\":\"%s\"}",
                        subject, permission, scope)))
            .build());
  }

  /** Removes every grant. */
  public static void revokeAll() {
    send(HttpRequest.newBuilder(URI.create(url() + "/grants")).DELETE().build());
  }

  private static void send(HttpRequest request) {
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("access server answered " + response.statusCode());
      }
    } catch (IOException e) {
      throw new IllegalStateException("access server unreachable", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
