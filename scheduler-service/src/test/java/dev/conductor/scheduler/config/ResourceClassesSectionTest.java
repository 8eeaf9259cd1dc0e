package dev.conductor.scheduler.config;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.report;
import static dev.conductor.scheduler.support.Runs.step;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.conductor.events.EventType;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.RunRejected;
import dev.conductor.events.data.RunSucceeded;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Config;
import dev.conductor.scheduler.support.Runs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Section {@code resourceClasses}: the document, its versions and events, and run validation. */
@QuarkusTest
class ResourceClassesSectionTest {
  private static final String SECTION = "resourceClasses";
  private static final String PATH = "/api/v1/config/resourceClasses";
  private static final String POOL = "classes";

  private static Map<String, Object> with(String name, Object slots) {
    Map<String, Object> doc = Config.get(SECTION);
    doc.put(name, slots);
    return doc;
  }

  private static Map<String, Object> without(String name) {
    Map<String, Object> doc = Config.get(SECTION);
    doc.remove(name);
    return doc;
  }

  @Test
  void theSettingsAreVersionOneAndGetThenPutChangesNothing() {
    List<ConfigChanged> first = Config.awaitChange(SECTION, 1);
    assertThat(first).hasSize(1);
    assertThat(first.get(0).who()).isEqualTo("settings");
    Map<String, Object> doc = Config.get(SECTION);
    assertThat(doc).containsEntry("smallrc", 1).containsEntry("xlargerc", 8);
    long version = Config.version(SECTION);
    Config.put(Config.operator(), SECTION, doc, false)
        .statusCode(200)
        .body("changed", equalTo(false))
        .body("version", equalTo(String.valueOf(version)));
    assertThat(Config.get(SECTION)).isEqualTo(doc);
  }

  @Test
  void anAddedClassMakesRunsValidAndARemovedOneMakesThemRejected() {
    String rc = Config.uniqueName("cfgrc-");
    String operator = Config.operator();
    long before = Config.version(SECTION);
    Config.put(operator, SECTION, with(rc, 3), false)
        .statusCode(200)
        .body("changed", equalTo(true))
        .body("version", equalTo(String.valueOf(before + 1)))
        .body("changes[0].op", equalTo("add"))
        .body("changes[0].item", equalTo(rc));
    assertThat(Config.get(SECTION)).containsEntry(rc, 3);
    List<ConfigChanged> changed = Config.awaitChange(SECTION, before + 1);
    assertThat(changed).hasSize(1);
    assertThat(changed.get(0).who()).isEqualTo(operator);
    assertThat(changed.get(0).oldVersion()).isEqualTo(String.valueOf(before));

    Api.registerExecutor(POOL, "exec-classes", 4);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, POOL, List.of(step("a", rc, 0)));
    JobScheduled job = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    assertThat(job.resourceClass()).isEqualTo(rc);
    assertThat(job.slots()).isEqualTo(3);

    Config.put(operator, SECTION, with(rc, 2), false)
        .statusCode(200)
        .body("changes[0].op", equalTo("change"))
        .body("changes[0].details[0]", equalTo("/: 3 -> 2"));

    Map<String, Object> doc = Config.get(SECTION);
    doc.remove(rc);
    Config.put(operator, SECTION, doc, false)
        .statusCode(200)
        .body("changes[0].op", equalTo("remove"))
        .body("changes[0].item", equalTo(rc));
    String late = Runs.newRunId();
    Runs.requestRun(late, POOL, List.of(step("a", rc, 0)));
    assertThat(awaitData(late, EventType.RUN_REJECTED, RunRejected.class, 1).get(0).reason())
        .isEqualTo("unknown-resource-class");

    // The attempt created before keeps the slots it was given.
    Api.claimed(job, "exec-classes");
    report(Runs.succeeded(job));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
  }

  @Test
  void aDryRunAnswersTheDiffAndChangesNothing() {
    long before = Config.version(SECTION);
    Map<String, Object> doc = Config.get(SECTION);
    doc.remove("smallrc");
    Config.put(Config.operator(), SECTION, doc, true)
        .statusCode(200)
        .body("dryRun", equalTo(true))
        .body("changed", equalTo(true))
        .body("version", equalTo(String.valueOf(before)))
        .body("changes[0].op", equalTo("remove"))
        .body("changes[0].item", equalTo("smallrc"));
    assertThat(Config.get(SECTION)).containsEntry("smallrc", 1);
    assertThat(Config.version(SECTION)).isEqualTo(before);
    // Events of one key are published in order: once the next real change has landed, an event
    // of the dry run would have too (it would also start from version `before`).
    String rc = Config.uniqueName("dryrc-");
    Config.put(Config.operator(), SECTION, with(rc, 2), false)
        .statusCode(200)
        .body("version", equalTo(String.valueOf(before + 1)));
    Config.awaitChange(SECTION, before + 1);
    assertThat(Config.changes(SECTION))
        .filteredOn(c -> String.valueOf(before).equals(c.oldVersion()))
        .singleElement()
        .satisfies(c -> assertThat(c.newVersion()).isEqualTo(String.valueOf(before + 1)));
    Config.put(Config.operator(), SECTION, without(rc), false).statusCode(200);
  }

  @Test
  void anInvalidDocumentIsRefusedWithThePointer() {
    String operator = Config.operator();
    long before = Config.version(SECTION);
    Config.put(operator, SECTION, with("cfgrc-zero", 0), false)
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("/cfgrc-zero"));
    Config.put(operator, SECTION, with("cfgrc-huge", 10_001), false)
        .statusCode(400)
        .body("field", equalTo("/cfgrc-huge"));
    Config.put(operator, SECTION, with("cfgrc-text", "2"), false)
        .statusCode(400)
        .body("field", equalTo("/cfgrc-text"));
    Config.put(operator, SECTION, with("Huge", 2), false)
        .statusCode(400)
        .body("field", equalTo("/Huge"));
    Config.put(operator, SECTION, Map.of(), false).statusCode(400);
    // A dry run that JAX-RS would read as false, or as absent, must not apply: it is refused.
    for (String value : new String[] {"1", ""}) {
      Api.as(operator)
          .body(with("cfgrc-dry", 2))
          .queryParam("dryRun", value)
          .put(PATH)
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("field", equalTo("dryRun"));
    }
    assertThat(Config.version(SECTION)).isEqualTo(before);
    assertThat(Config.get(SECTION)).doesNotContainKey("cfgrc-dry");
  }

  @Test
  void readingAndWritingNeedATokenAndThePermission() {
    given().get(PATH).then().statusCode(401);
    given().contentType(ContentType.JSON).body(Map.of()).put(PATH).then().statusCode(401);
    String reader = Api.principalWith("config.read", "/");
    Api.as(reader).body(Config.get(SECTION)).put(PATH).then().statusCode(403);
    String executor = Api.principalWith("pool.register", "/pools/" + POOL);
    Api.as(executor).get(PATH).then().statusCode(403);
  }
}
