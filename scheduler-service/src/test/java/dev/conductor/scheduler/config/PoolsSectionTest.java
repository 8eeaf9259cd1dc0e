package dev.conductor.scheduler.config;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.report;
import static dev.conductor.scheduler.support.Runs.step;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.JobWaiting;
import dev.conductor.events.data.RunRejected;
import dev.conductor.events.data.RunSucceeded;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.db.section.SectionUpdates;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.scheduler.pool.PoolConfig;
import dev.conductor.scheduler.pool.Pools;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Config;
import dev.conductor.scheduler.support.Events;
import dev.conductor.scheduler.support.Runs;
import dev.conductor.testkit.KafkaTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

/** Section {@code pools}: the document, its versions and events, and what it does to scheduling. */
@QuarkusTest
class PoolsSectionTest {
  private static final String SECTION = "pools";
  private static final String PATH = "/api/v1/config/pools";

  @Inject Transactions transactions;
  @Inject PoolsSection poolsSection;
  @Inject SectionUpdates updates;
  @Inject Pools pools;

  private static Map<String, Object> without(String pool) {
    Map<String, Object> doc = Config.get(SECTION);
    doc.remove(pool);
    return doc;
  }

  @Test
  void theSettingsAreVersionOneAndGetThenPutChangesNothing() {
    List<ConfigChanged> first = Config.awaitChange(SECTION, 1);
    assertThat(first).hasSize(1);
    assertThat(first.get(0).who()).isEqualTo("settings");
    assertThat(first.get(0).oldVersion()).as("no version before the first").isNull();
    assertThat(first.get(0).workspace()).isNull();

    Map<String, Object> doc = Config.get(SECTION);
    assertThat(doc).containsEntry("lifecycle", Map.of("paused", false)).containsKey("dev");
    long version = Config.version(SECTION);
    Config.put(Config.operator(), SECTION, doc, false)
        .statusCode(200)
        .body("section", equalTo(SECTION))
        .body("changed", equalTo(false))
        .body("dryRun", equalTo(false))
        .body("version", equalTo(String.valueOf(version)))
        .body("changes.size()", equalTo(0));
    assertThat(Config.version(SECTION)).isEqualTo(version);
    assertThat(Config.get(SECTION)).isEqualTo(doc);
  }

  @Test
  void aNewPoolIsVersionedAnnouncedGetsItsTopicsAndRunsJobs() throws Exception {
    String pool = Config.provisionedPool("cfg-new-");
    long before = Config.version(SECTION);
    String operator = Config.operator();
    Config.put(operator, SECTION, with(pool, Map.of("description", "a new pool")), false)
        .statusCode(200)
        .body("changed", equalTo(true))
        .body("version", equalTo(String.valueOf(before + 1)))
        .body("changes.size()", equalTo(1))
        .body("changes[0].op", equalTo("add"))
        .body("changes[0].item", equalTo(pool));
    assertThat(Config.get(SECTION))
        .containsEntry(pool, Map.of("paused", false, "description", "a new pool"));

    List<ConfigChanged> changed = Config.awaitChange(SECTION, before + 1);
    assertThat(changed).hasSize(1);
    assertThat(changed.get(0).who()).isEqualTo(operator);
    assertThat(changed.get(0).oldVersion()).isEqualTo(String.valueOf(before));
    assertThat(changed.get(0).section()).isEqualTo(SECTION);

    Map<String, TopicDescription> topics = describe(Topics.jobs(pool), Topics.control(pool));
    assertThat(topics.get(Topics.jobs(pool)).partitions()).hasSize(4);
    assertThat(topics.get(Topics.control(pool)).partitions()).hasSize(1);

    Api.registerExecutor(pool, "exec-new", 2);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    JobScheduled job = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    assertThat(job.pool()).isEqualTo(pool);
    Api.claimed(job, "exec-new");
    report(Runs.succeeded(job));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
  }

  @Test
  void aPoolNotProvisionedOnTheBusIsRefusedNamingItsTopics() {
    String pool = Config.uniqueName("cfg-bare-");
    long before = Config.version(SECTION);
    Config.put(Config.operator(), SECTION, with(pool, Map.of()), false)
        .statusCode(409)
        .body("detail", containsString(Topics.control(pool)))
        .body("detail", containsString(Topics.attempts(pool)));
    assertThat(Config.get(SECTION)).doesNotContainKey(pool);
    assertThat(Config.version(SECTION)).isEqualTo(before);
  }

  @Test
  void aDryRunAnswersTheDiffAndChangesNothing() {
    String pool = Config.provisionedPool("cfg-dry-");
    long before = Config.version(SECTION);
    Config.put(Config.operator(), SECTION, with(pool, Map.of()), true)
        .statusCode(200)
        .body("dryRun", equalTo(true))
        .body("changed", equalTo(true))
        .body("version", equalTo(String.valueOf(before)))
        .body("changes[0].op", equalTo("add"))
        .body("changes[0].item", equalTo(pool));
    assertThat(Config.get(SECTION)).doesNotContainKey(pool);
    assertThat(Config.version(SECTION)).isEqualTo(before);
    assertThat(pools.known(pool)).isFalse();
    Api.as(Api.principalWith("pool.register", "/pools/" + pool))
        .body(Map.of("slots", 1))
        .put("/api/v1/pools/{pool}/executors/{id}", pool, "exec-dry")
        .then()
        .statusCode(404);
    // Events of one key are published in order: once the next real change has landed, an event
    // of the dry run would have too (it would also start from version `before`).
    Config.put(Config.operator(), SECTION, with(pool, Map.of()), false)
        .statusCode(200)
        .body("version", equalTo(String.valueOf(before + 1)));
    Config.awaitChange(SECTION, before + 1);
    assertThat(Config.changes(SECTION))
        .filteredOn(c -> String.valueOf(before).equals(c.oldVersion()))
        .singleElement()
        .satisfies(c -> assertThat(c.newVersion()).isEqualTo(String.valueOf(before + 1)));
  }

  @Test
  void anInvalidDocumentIsRefusedWithThePointerOfEachBadField() {
    String operator = Config.operator();
    long before = Config.version(SECTION);
    Config.put(operator, SECTION, with("Bad_Name", Map.of()), false)
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("/Bad_Name"));
    Config.put(operator, SECTION, with("cfg-ok", Map.of("paused", "yes")), false)
        .statusCode(400)
        .body("field", equalTo("/cfg-ok/paused"));
    Config.put(operator, SECTION, with("cfg-ok", Map.of("colour", "red")), false)
        .statusCode(400)
        .body("field", equalTo("/cfg-ok/colour"));
    Config.put(operator, SECTION, with("cfg-ok", true), false)
        .statusCode(400)
        .body("field", equalTo("/cfg-ok"));
    Config.put(operator, SECTION, List.of("dev"), false).statusCode(400);
    assertThat(Config.version(SECTION)).isEqualTo(before);
  }

  private static Map<String, Object> with(String pool, Object config) {
    Map<String, Object> doc = Config.get(SECTION);
    doc.put(pool, config);
    return doc;
  }

  @Test
  void readingAndWritingNeedATokenAndThePermission() {
    given().get(PATH).then().statusCode(401).contentType("application/problem+json");
    given()
        .contentType(ContentType.JSON)
        .body(Map.of())
        .put(PATH)
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    String reader = Api.principalWith("config.read", "/");
    Api.as(reader).get(PATH).then().statusCode(200);
    Api.as(reader)
        .body(Config.get(SECTION))
        .put(PATH)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    String workspaceAdmin = Api.principalWith("config.write", "/workspaces/" + Runs.WORKSPACE);
    Api.as(workspaceAdmin).body(Config.get(SECTION)).put(PATH).then().statusCode(403);
    Api.as(workspaceAdmin).get(PATH).then().statusCode(403);
  }

  @Test
  void anUnknownSectionIs404NamingTheSections() {
    Api.as(Config.operator())
        .get("/api/v1/config/{section}", "quotas")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("pools"))
        .body("detail", containsString("resourceClasses"));
  }

  @Test
  void aPausedPoolGrantsNothingUntilItIsResumed() {
    String pool = Config.provisionedPool("cfg-pause-");
    String operator = Config.operator();
    Config.put(operator, SECTION, with(pool, Map.of("paused", true)), false).statusCode(200);
    Api.registerExecutor(pool, "exec-paused", 2);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));

    JobWaiting waiting = awaitData(runId, EventType.JOB_WAITING, JobWaiting.class, 1).get(0);
    assertThat(waiting.reason()).isEqualTo("paused");
    assertThat(waiting.numbers()).containsEntry("capacity", 2L).containsEntry("needed", 1L);
    assertThat((List<Map<String, Object>>) Api.run(runId).get("steps"))
        .extracting(s -> s.get("status"))
        .containsExactly("waiting");
    assertThat(Api.pool(pool)).containsEntry("paused", true).containsEntry("waiting", 1);
    assertThat(Events.of(runId, EventType.JOB_SCHEDULED)).isEmpty();

    Config.put(operator, SECTION, with(pool, Map.of("paused", false)), false)
        .statusCode(200)
        .body("changes[0].op", equalTo("change"))
        .body("changes[0].details[0]", equalTo("/paused: true -> false"));
    JobScheduled job = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    assertThat(job.attemptId()).isEqualTo(waiting.attemptId());
    Api.claimed(job, "exec-paused");
    report(Runs.succeeded(job));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
    // Paused once, announced once: the sweeper re-checking the attempt repeated nothing.
    assertThat(Events.of(runId, EventType.JOB_WAITING)).hasSize(1);
  }

  @Test
  void aPoolInUseCannotBeRetiredAndARetiredPoolCanComeBack() {
    String pool = Config.provisionedPool("cfg-retire-");
    String operator = Config.operator();
    Config.put(operator, SECTION, with(pool, Map.of()), false).statusCode(200);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    awaitData(runId, EventType.JOB_WAITING, JobWaiting.class, 1);

    long before = Config.version(SECTION);
    Config.put(operator, SECTION, without(pool), true)
        .statusCode(409)
        .body("detail", containsString("1 waiting attempt"));
    Config.put(operator, SECTION, without(pool), false)
        .statusCode(409)
        .contentType("application/problem+json")
        .body("field", equalTo("/" + pool))
        .body("detail", containsString("1 waiting attempt"));
    assertThat(Config.version(SECTION)).isEqualTo(before);

    Api.registerExecutor(pool, "exec-retire", 1);
    JobScheduled job = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    Api.claimed(job, "exec-retire");
    report(Runs.succeeded(job));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
    Config.put(operator, SECTION, without(pool), false)
        .statusCode(409)
        .body("detail", containsString("exec-retire"));

    Api.registerExecutor(pool, "exec-retire", 0);
    Config.put(operator, SECTION, without(pool), false)
        .statusCode(200)
        .body("changes[0].op", equalTo("remove"))
        .body("changes[0].item", equalTo(pool));
    assertThat(Config.get(SECTION)).doesNotContainKey(pool);
    String late = Runs.newRunId();
    Runs.requestRun(late, pool, List.of(step("a", "smallrc", 0)));
    assertThat(awaitData(late, EventType.RUN_REJECTED, RunRejected.class, 1).get(0).reason())
        .isEqualTo("unknown-pool");
    String executor = Api.principalWith("pool.register", "/pools/" + pool);
    Api.as(executor)
        .body(Map.of("slots", 1))
        .put("/api/v1/pools/{pool}/executors/{id}", pool, "exec-retire")
        .then()
        .statusCode(404);

    Config.put(operator, SECTION, with(pool, Map.of()), false)
        .statusCode(200)
        .body("changes[0].op", equalTo("add"));
    Api.registerExecutor(pool, "exec-retire", 1);
  }

  @Test
  void aChangeMadeByAnotherInstanceIsFollowedWithinSeconds() {
    String pool = Config.provisionedPool("cfg-poll-");
    // What another instance's PUT leaves behind (rows, version, event), without reloading ours.
    transactions
        .run(
            tx ->
                poolsSection
                    .read(tx, null)
                    .chain(
                        current -> {
                          Map<String, JsonNode> desired = new TreeMap<>(current);
                          desired.put(pool, PoolsSection.item(new PoolConfig(false, null)));
                          return updates.apply(
                              tx,
                              poolsSection,
                              null,
                              poolsSection.document(desired),
                              null,
                              "other-instance",
                              TraceContext.newTrace(),
                              false);
                        }))
        .await()
        .atMost(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(10)).until(() -> pools.known(pool));
    Api.registerExecutor(pool, "exec-poll", 1);
  }

  private static Map<String, TopicDescription> describe(String... topics) throws Exception {
    try (Admin admin = Admin.create(KafkaTestResource.admin())) {
      return admin.describeTopics(List.of(topics)).allTopicNames().get();
    }
  }
}
