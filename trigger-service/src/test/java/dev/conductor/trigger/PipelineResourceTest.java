package dev.conductor.trigger;

import static dev.conductor.trigger.Fixtures.PIPELINE;
import static dev.conductor.trigger.Fixtures.granted;
import static dev.conductor.trigger.Fixtures.token;
import static dev.conductor.trigger.Fixtures.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.conductor.events.EventType;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.testkit.AccessTestResource;
import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = IssuerTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AccessTestResource.class, restrictToAnnotatedClass = false)
class PipelineResourceTest {
  private static final String PATH = "/api/v1/workspaces/{ws}/pipelines/{p}";

  @Test
  void putWithoutTokenIs401() {
    given()
        .contentType(ContentType.JSON)
        .body(PIPELINE)
        .put(PATH, "ws", "p")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
  }

  @Test
  void putWithoutPipelineWriteIs403() {
    String ws = unique("ws");
    String reader = granted("pipeline.read", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(reader))
        .contentType(ContentType.JSON)
        .body(PIPELINE)
        .put(PATH, ws, "nightly")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
  }

  @Test
  void putStoresVersionsAndEmitsConfigChanged() {
    String ws = unique("ws");
    String author = granted("pipeline.write", "/workspaces/" + ws);
    String changed = PIPELINE.replace("\"nightly load\"", "\"nightly load v2\"");

    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body(PIPELINE)
        .put(PATH, ws, "nightly")
        .then()
        .statusCode(201)
        .body("workspace", equalTo(ws))
        .body("pipeline", equalTo("nightly"))
        .body("version", equalTo(1));
    // The same definition again changes nothing.
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body(PIPELINE)
        .put(PATH, ws, "nightly")
        .then()
        .statusCode(200)
        .body("version", equalTo(1))
        .body("changed", equalTo(false));
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body(changed)
        .put(PATH, ws, "nightly")
        .then()
        .statusCode(200)
        .body("version", equalTo(2))
        .body("changed", equalTo(true));

    String key = ws + "/nightly";
    var second =
        KafkaProbe.shared()
            .awaitRecord(
                Topics.changes(Principals.TRIGGER_SERVICE),
                KafkaProbe.event(
                    e ->
                        e.type() == EventType.CONFIG_CHANGED
                            && key.equals(e.key())
                            && "2".equals(((ConfigChanged) e.data()).newVersion())));
    ConfigChanged data = (ConfigChanged) KafkaProbe.decode(second).data();
    assertThat(second.key()).isEqualTo(key);
    assertThat(data.workspace()).isEqualTo(ws);
    assertThat(data.section()).isEqualTo("pipelines");
    assertThat(data.who()).isEqualTo(author);
    assertThat(data.oldVersion()).isEqualTo("1");
    assertThat(KafkaProbe.header(second, "traceparent")).isNotBlank();
    assertThat(
            KafkaProbe.shared()
                .records(
                    Topics.changes(Principals.TRIGGER_SERVICE),
                    KafkaProbe.event(
                        e -> e.type() == EventType.CONFIG_CHANGED && key.equals(e.key()))))
        .hasSize(2);

    String reader = granted("pipeline.read", "/workspaces/" + ws + "/pipelines/nightly");
    given()
        .auth()
        .oauth2(token(reader))
        .get(PATH, ws, "nightly")
        .then()
        .statusCode(200)
        .body("version", equalTo(2))
        .body("description", equalTo("nightly load v2"))
        .body("runAs", equalTo("etl-bot"))
        .body("environments", hasItem("test"))
        .body("steps[0].name", equalTo("extract"))
        .body("steps[1].dependsOn[0]", equalTo("extract"))
        .body("steps[1].resourceClass", equalTo("smallrc"))
        .body("parameters.required[0]", equalTo("date"))
        .body("updatedBy", equalTo(author));
  }

  @Test
  void getNeedsPipelineReadAndAnExistingPipeline() {
    String ws = unique("ws");
    Fixtures.createPipeline(ws, "nightly");
    String stranger = granted("pipeline.read", "/workspaces/other");
    given().auth().oauth2(token(stranger)).get(PATH, ws, "nightly").then().statusCode(403);
    given().get(PATH, ws, "nightly").then().statusCode(401);
    String reader = granted("pipeline.read", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(reader))
        .get(PATH, ws, "missing")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void foreignTokenIs401() {
    given()
        .auth()
        .oauth2(IssuerTestResource.issuer().foreignToken("mallory"))
        .get(PATH, "ws", "p")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no steps|\"steps\": []|/steps",
        "step name pattern|\"steps\": [{\"name\": \"Bad_Name\", \"jobType\": \"noop\"}]|/steps/0/name",
        "duplicate step|\"steps\": [{\"name\": \"a\", \"jobType\": \"noop\"}, {\"name\": \"a\","
            + " \"jobType\": \"noop\"}]|/steps/1/name",
        "unknown dependency|\"steps\": [{\"name\": \"a\", \"jobType\": \"noop\"}, {\"name\": \"b\","
            + " \"jobType\": \"noop\", \"dependsOn\": [\"zzz\"]}]|/steps/1/dependsOn/0",
        "cycle|\"steps\": [{\"name\": \"a\", \"jobType\": \"noop\", \"dependsOn\": [\"b\"]},"
            + " {\"name\": \"b\", \"jobType\": \"noop\", \"dependsOn\": [\"a\"]}]|/steps/1/dependsOn/0",
        "self cycle|\"steps\": [{\"name\": \"a\", \"jobType\": \"noop\", \"dependsOn\":"
            + " [\"a\"]}]|/steps/0/dependsOn/0",
        "job type|\"steps\": [{\"name\": \"a\", \"jobType\": \"shell\"}]|/steps/0/jobType",
        "typo field|\"steps\": [{\"name\": \"a\", \"jobType\": \"noop\", \"dependOn\":"
            + " []}]|/steps/0/dependOn",
        "negative timeout|\"steps\": [{\"name\": \"a\", \"jobType\": \"noop\", \"timeoutSeconds\":"
            + " -1}]|/steps/0/timeoutSeconds",
        "data access|\"steps\": [{\"name\": \"a\", \"jobType\": \"noop\", \"dataAccess\":"
            + " [{\"resource\": \"w\"}]}]|/steps/0/dataAccess/0/permissions",
        "access to the api itself|\"steps\": [{\"name\": \"a\", \"jobType\": \"noop\","
            + " \"dataAccess\": [{\"resource\": \"conductor\", \"permissions\":"
            + " [\"pipeline.run\"]}]}]|/steps/0/dataAccess/0/resource",
      })
  void invalidStepsAreNamed(String name, String steps, String field) {
    String body = "{\"runAs\": \"etl-bot\", \"environments\": [\"dev\"], " + steps + "}";
    expectInvalid(body, field);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no runAs|{\"environments\": [\"dev\"]}|/runAs",
        "no environments|{\"runAs\": \"bot\", \"environments\": []}|/environments",
        "unknown environment|{\"runAs\": \"bot\", \"environments\": [\"dev\", \"staging\"]}"
            + "|/environments/1",
        "schema type|{\"runAs\": \"bot\", \"environments\": [\"dev\"], \"parameters\": {\"type\":"
            + " \"objekt\"}}|/parameters/type",
        "schema remote ref|{\"runAs\": \"bot\", \"environments\": [\"dev\"], \"parameters\":"
            + " {\"$ref\": \"http://example.com/s.json\"}}|/parameters/$ref",
        "tag value|{\"runAs\": \"bot\", \"environments\": [\"dev\"], \"tags\": {\"team\": 1}}"
            + "|/tags/team",
        "backreference|{\"runAs\": \"bot\", \"environments\": [\"dev\"], \"parameters\":"
            + " {\"properties\": {\"x\": {\"pattern\": \"^(a+)\\\\1$\"}}}}"
            + "|/parameters/properties/x/pattern",
        "huge pattern|{\"runAs\": \"bot\", \"environments\": [\"dev\"], \"parameters\":"
            + " {\"patternProperties\": {\"((a{100}){100}){100}\": {}}}}"
            + "|/parameters/patternProperties/((a{100}){100}){100}",
      })
  void invalidHeadersAreNamed(String name, String head, String field) {
    String body =
        head.substring(0, head.length() - 1)
            + ", \"steps\": [{\"name\": \"a\", \"jobType\": \"noop\"}]}";
    expectInvalid(body, field);
  }

  private static void expectInvalid(String body, String field) {
    String ws = unique("ws");
    String author = granted("pipeline.write", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body(body)
        .put(PATH, ws, "p")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo(field));
  }

  @Test
  void notJsonIs400() {
    String ws = unique("ws");
    String author = granted("pipeline.write", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body("{not json")
        .put(PATH, ws, "p")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }
}
