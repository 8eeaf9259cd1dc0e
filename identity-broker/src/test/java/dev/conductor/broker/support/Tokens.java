package dev.conductor.broker.support;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Tokens from the broker's own token endpoint for the seed's demo clients (secret = id-secret). */
public final class Tokens {
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  private Tokens() {}

  /** A token for {@code conductor.triggers} (the triggers' own audience), not cached. */
  public static String forTriggers(String client) {
    return given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("grant_type", "client_credentials")
        .formParam("audience", "conductor-triggers")
        .formParam("client_id", client)
        .formParam("client_secret", client + "-secret")
        .post("/oauth2/token")
        .then()
        .statusCode(200)
        .extract()
        .path("access_token");
  }

  public static String of(String client) {
    return CACHE.computeIfAbsent(
        client,
        c ->
            given()
                .contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials")
                .formParam("client_id", c)
                .formParam("client_secret", c + "-secret")
                .post("/oauth2/token")
                .then()
                .statusCode(200)
                .extract()
                .path("access_token"));
  }
}
