package dev.conductor.broker.support;

import static io.restassured.RestAssured.given;

import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.testkit.KafkaProbe;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;

/** REST calls of the config sections and the {@code config.changed} events they emit. */
public final class ConfigApi {
  private ConfigApi() {}

  public static ValidatableResponse put(String token, String path, Object body) {
    return given().auth().oauth2(token).contentType("application/json").body(body).put(path).then();
  }

  public static ValidatableResponse dryRun(String token, String path, Object body) {
    return given()
        .auth()
        .oauth2(token)
        .contentType("application/json")
        .queryParam("dryRun", true)
        .body(body)
        .put(path)
        .then();
  }

  public static ValidatableResponse get(String token, String path) {
    return given().auth().oauth2(token).get(path).then();
  }

  /** The document GET answers, as plain Java values (lists and maps). */
  public static Object document(String token, String path) {
    return get(token, path).statusCode(200).extract().as(Object.class);
  }

  /** Every {@code config.changed} seen on conductor.changes under {@code key}, in order. */
  public static List<ConfigChanged> changes(KafkaProbe probe, String key) {
    return probe.byKey(key).stream()
        .filter(s -> s.topic().equals(Topics.changes(Principals.IDENTITY_BROKER)))
        .map(s -> s.data(ConfigChanged.class))
        .toList();
  }

  /** The policy version the broker answers an access check with: the version in force. */
  public static String versionInForce() {
    return given()
        .auth()
        .oauth2(Tokens.of("admin"))
        .contentType("application/json")
        .body(Map.of("permission", "pipeline.read", "scope", "/"))
        .post("/api/v1/access/check")
        .then()
        .statusCode(200)
        .extract()
        .path("policyVersion");
  }

  /** The effect of an access check of {@code permission} at {@code scope} for {@code principal}. */
  public static String effect(String principal, String permission, String scope) {
    return given()
        .auth()
        .oauth2(Tokens.of("admin"))
        .contentType("application/json")
        .body(Map.of("permission", permission, "scope", scope, "principal", principal))
        .post("/api/v1/access/check")
        .then()
        .statusCode(200)
        .extract()
        .path("effect");
  }
}
