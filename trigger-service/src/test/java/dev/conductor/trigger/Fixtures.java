package dev.conductor.trigger;

import static io.restassured.RestAssured.given;

import dev.conductor.testkit.AccessTestResource;
import dev.conductor.testkit.IssuerTestResource;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.UUID;

/** Tokens, grants and a sample pipeline shared by the tests. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * A definition with a required {@code date} parameter and a two-step DAG. The date has a pattern
   * as well as a format, so every run requested here (REST and Kafka) is validated off the event
   * loop.
   */
  public static final String PIPELINE =
      """
      {"description": "nightly load", "runAs": "etl-bot", "environments": ["dev", "test"],
       "tags": {"team": "core"},
       "parameters": {"type": "object", "required": ["date"],
                      "properties": {"date": {"type": "string", "format": "date",
                                               "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}},
       "steps": [
         {"name": "extract", "jobType": "sleep", "spec": {"millis": 200}, "resourceClass": "smallrc",
          "dependsOn": [], "timeoutSeconds": 600, "maxRetries": 0,
          "dataAccess": [{"resource": "warehouse", "permissions": ["read"]}]},
         {"name": "load", "jobType": "noop", "dependsOn": ["extract"]}]}
      """;

  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static String token(String subject) {
    return IssuerTestResource.issuer().token(subject, List.of("data-eng"));
  }

  /** A token for {@code conductor.triggers}: the triggers' own audience, not the API's. */
  public static String triggerToken(String subject) {
    return IssuerTestResource.issuer()
        .token(
            IssuerTestResource.issuer()
                .claims(subject, List.of("data-eng"))
                .audience("conductor-triggers")
                .build());
  }

  /** A new subject holding {@code permission} on {@code scope}. */
  public static String granted(String permission, String scope) {
    String subject = unique("user");
    AccessTestResource.grant(subject, permission, scope);
    return subject;
  }

  /** Creates the sample pipeline {@code ws/p} as an admin of the workspace. */
  public static void createPipeline(String ws, String p) {
    String admin = granted("*", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(admin))
        .contentType(ContentType.JSON)
        .body(PIPELINE)
        .put("/api/v1/workspaces/{ws}/pipelines/{p}", ws, p)
        .then()
        .statusCode(201);
  }
}
