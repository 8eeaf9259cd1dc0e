package dev.conductor.trigger;

import static dev.conductor.trigger.Fixtures.PIPELINE;
import static dev.conductor.trigger.Fixtures.granted;
import static dev.conductor.trigger.Fixtures.token;
import static dev.conductor.trigger.Fixtures.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.events.data.RunRequested;
import dev.conductor.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The workspace section {@code pipelines}: {@code PUT|GET .../config/pipelines}. */
@QuarkusTest
class PipelinesSectionTest {
  private static final String SECTION = "/api/v1/workspaces/{ws}/config/{section}";
  private static final String PIPELINE_PATH = "/api/v1/workspaces/{ws}/pipelines/{p}";
  private static final String CHANGED = PIPELINE.replace("\"nightly load\"", "\"nightly load v2\"");
  private static final String OTHER =
      """
      {"runAs": "report-bot", "environments": ["prod"],
       "steps": [{"name": "render", "jobType": "noop"}]}
      """;

  @Inject DataSource dataSource;

  @Test
  void withoutTokenIs401() {
    given()
        .contentType(ContentType.JSON)
        .body("{}")
        .put(SECTION, "ws", "pipelines")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .get(SECTION, "ws", "pipelines")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
  }

  @Test
  void putNeedsConfigWriteAndGetConfigRead() {
    String ws = unique("ws");
    // pipeline.write on every pipeline is not enough: the section is workspace configuration.
    for (String permission : List.of("config.read", "pipeline.write")) {
      String subject = granted(permission, "/workspaces/" + ws);
      given()
          .auth()
          .oauth2(token(subject))
          .contentType(ContentType.JSON)
          .body(doc("etl", PIPELINE))
          .put(SECTION, ws, "pipelines")
          .then()
          .statusCode(403)
          .contentType("application/problem+json");
    }
    String elsewhere = granted("config.write", "/workspaces/other");
    put(elsewhere, ws, doc("etl", PIPELINE), false).then().statusCode(403);
    String pipelineReader = granted("pipeline.read", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(pipelineReader))
        .get(SECTION, ws, "pipelines")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    // Nothing was stored by the refused PUTs.
    given()
        .auth()
        .oauth2(token(granted("config.read", "/workspaces/" + ws)))
        .get(SECTION, ws, "pipelines")
        .then()
        .statusCode(200)
        .body("$", anEmptyMap());
  }

  @Test
  void unknownSectionIs404NamingTheSections() {
    String ws = unique("ws");
    String admin = granted("*", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(admin))
        .contentType(ContentType.JSON)
        .body("{}")
        .put(SECTION, ws, "quotas")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("pipelines"));
    given()
        .auth()
        .oauth2(token(admin))
        .get(SECTION, ws, "quotas")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void getThenPutIsANoOp() {
    String ws = unique("ws");
    Fixtures.createPipeline(ws, "nightly"); // through the per-pipeline PUT, defaults omitted
    String admin = granted("*", "/workspaces/" + ws);
    String document =
        given()
            .auth()
            .oauth2(token(admin))
            .get(SECTION, ws, "pipelines")
            .then()
            .statusCode(200)
            .body("$", aMapWithSize(1))
            .body("nightly.runAs", equalTo("etl-bot"))
            .body("nightly.steps[1].resourceClass", equalTo("smallrc"))
            .body("nightly", not(hasKey("version")))
            .body("nightly", not(hasKey("updatedAt")))
            .extract()
            .asString();

    for (String body : List.of(document, doc("nightly", PIPELINE))) {
      put(admin, ws, body, false)
          .then()
          .statusCode(200)
          .body("section", equalTo("pipelines"))
          .body("workspace", equalTo(ws))
          .body("dryRun", equalTo(false))
          .body("changed", equalTo(false))
          // The per-pipeline PUT that created it bumped the section revision.
          .body("version", equalTo("1"))
          .body("changes", empty());
    }
    pipelineVersion(admin, ws, "nightly", 1);
  }

  @Test
  void aChangeAnswersTheDiffAndEmitsOneEventPerStoredVersion() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    put(author, ws, doc("etl", PIPELINE, "report", OTHER), false)
        .then()
        .statusCode(200)
        .body("changed", equalTo(true))
        .body("version", equalTo("1"))
        .body("changes.op", equalTo(List.of("add", "add")))
        .body("changes.item", equalTo(List.of("etl", "report")));
    ConfigChanged etl1 = configChanged(ws, "etl", "1");
    assertThat(etl1.oldVersion()).isNull();
    assertThat(etl1.who()).isEqualTo(author);
    assertThat(configChanged(ws, "report", "1").section()).isEqualTo("pipelines");

    String changedEtl = CHANGED.replace("\"maxRetries\": 0", "\"maxRetries\": 2");
    put(author, ws, doc("etl", changedEtl, "report", OTHER), false)
        .then()
        .statusCode(200)
        .body("dryRun", equalTo(false))
        .body("changed", equalTo(true))
        .body("version", equalTo("2"))
        .body("changes", hasSize(1))
        .body("changes[0].op", equalTo("change"))
        .body("changes[0].item", equalTo("etl"))
        .body(
            "changes[0].details",
            equalTo(
                List.of(
                    "/description: \"nightly load\" -> \"nightly load v2\"",
                    "/steps/0/maxRetries: 0 -> 2",
                    "version 1 -> 2")));

    ConsumerRecord<String, byte[]> record = configChangedRecord(ws, "etl", "2");
    ConfigChanged etl2 = (ConfigChanged) KafkaProbe.decode(record).data();
    assertThat(record.key()).isEqualTo(ws + "/etl");
    assertThat(etl2.workspace()).isEqualTo(ws);
    assertThat(etl2.section()).isEqualTo("pipelines");
    assertThat(etl2.who()).isEqualTo(author);
    assertThat(etl2.oldVersion()).isEqualTo("1");
    assertThat(KafkaProbe.header(record, "traceparent")).isNotBlank();
    assertThat(eventsOf(ws, "etl")).hasSize(2);

    String reader = granted("config.read", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(reader))
        .get(SECTION, ws, "pipelines")
        .then()
        .statusCode(200)
        .body("etl.description", equalTo("nightly load v2"))
        .body("etl.steps[0].maxRetries", equalTo(2))
        .body("report.runAs", equalTo("report-bot"));
    String admin = granted("*", "/workspaces/" + ws);
    pipelineVersion(admin, ws, "etl", 2);
    pipelineVersion(admin, ws, "report", 1); // identical: no new version, so no event
  }

  @Test
  void dryRunChangesNothingAndEmitsNothing() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    put(author, ws, doc("etl", PIPELINE), false)
        .then()
        .statusCode(200)
        .body("version", equalTo("1"));

    String next = doc("etl", CHANGED, "fresh", OTHER);
    for (int i = 0; i < 2; i++) {
      put(author, ws, next, true)
          .then()
          .statusCode(200)
          .body("dryRun", equalTo(true))
          .body("changed", equalTo(true))
          .body("version", equalTo("1"))
          .body("changes.op", equalTo(List.of("change", "add")))
          .body("changes.item", equalTo(List.of("etl", "fresh")))
          .body(
              "changes[0].details",
              hasItems("/description: \"nightly load\" -> \"nightly load v2\"", "version 1 -> 2"));
    }
    String admin = granted("*", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(admin))
        .get(SECTION, ws, "pipelines")
        .then()
        .statusCode(200)
        .body("$", aMapWithSize(1))
        .body("etl.description", equalTo("nightly load"));
    given().auth().oauth2(token(admin)).get(PIPELINE_PATH, ws, "fresh").then().statusCode(404);

    // The real PUT answers what the dry run announced; had the dry runs emitted, their events
    // would precede these on the same keys.
    put(author, ws, next, false)
        .then()
        .statusCode(200)
        .body("dryRun", equalTo(false))
        .body("version", equalTo("2"))
        .body("changes.op", equalTo(List.of("change", "add")))
        .body("changes.item", equalTo(List.of("etl", "fresh")))
        .body("changes[0].details", hasItems("version 1 -> 2"));
    configChanged(ws, "etl", "2");
    configChanged(ws, "fresh", "1");
    assertThat(eventsOf(ws, "etl")).hasSize(2);
    assertThat(eventsOf(ws, "fresh")).hasSize(1);
  }

  @Test
  void invalidDocumentIs400NamingEveryPipelineAndStoresNothing() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    String badSteps =
        """
        {"runAs": "etl-bot", "environments": ["dev"],
         "steps": [{"name": "a", "jobType": "noop"},
                   {"name": "b", "jobType": "noop", "dependsOn": ["zzz"]}]}
        """;
    String noRunAs =
        "{\"environments\": [\"dev\"], \"steps\": [{\"name\": \"a\", \"jobType\": \"noop\"}]}";
    String document =
        "{\"etl\": "
            + badSteps
            + ", \"fine\": "
            + OTHER
            + ", \"report\": "
            + noRunAs
            + ", \"a/b\": "
            + OTHER
            + ", \"raw\": 7}";
    for (boolean dryRun : List.of(true, false)) {
      put(author, ws, document, dryRun)
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body(
              "errors.field",
              hasItems("/etl/steps/1/dependsOn/0", "/report/runAs", "/a~1b", "/raw"));
    }
    put(author, ws, "[]", false)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("/"));

    // The valid pipeline of the refused document was not stored either.
    String admin = granted("*", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(admin))
        .get(SECTION, ws, "pipelines")
        .then()
        .statusCode(200)
        .body("$", anEmptyMap());
    given().auth().oauth2(token(admin)).get(PIPELINE_PATH, ws, "fine").then().statusCode(404);
  }

  @Test
  void aPipelineLeftOutStays() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    put(author, ws, doc("etl", PIPELINE, "report", OTHER), false).then().statusCode(200);
    put(author, ws, doc("etl", CHANGED), false)
        .then()
        .statusCode(200)
        .body("changes.op", equalTo(List.of("change")))
        .body("changes.item", equalTo(List.of("etl")));
    put(author, ws, "{}", false)
        .then()
        .statusCode(200)
        .body("changed", equalTo(false))
        .body("version", equalTo("2"));
    given()
        .auth()
        .oauth2(token(granted("config.read", "/workspaces/" + ws)))
        .get(SECTION, ws, "pipelines")
        .then()
        .statusCode(200)
        .body("$", aMapWithSize(2))
        .body("report.runAs", equalTo("report-bot"))
        .body("etl.description", equalTo("nightly load v2"))
        .body("report.version", nullValue());
  }

  @Test
  void concurrentPutsOfTheSectionApplyOneAfterTheOther() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    // Own threads: the common pool has a single thread on a 2-core machine.
    ExecutorService threads = Executors.newFixedThreadPool(4);
    List<CompletableFuture<Response>> puts =
        IntStream.range(0, 4)
            .mapToObj(
                i ->
                    CompletableFuture.supplyAsync(
                        () ->
                            put(
                                author,
                                ws,
                                doc(
                                    "etl",
                                    PIPELINE.replace("\"nightly load\"", "\"load " + i + "\""),
                                    "report",
                                    OTHER),
                                false),
                        threads))
            .toList();
    List<String> revisions = new ArrayList<>();
    List<String> additions = new ArrayList<>();
    try {
      for (CompletableFuture<Response> put : puts) {
        Response response = put.join();
        response.then().statusCode(200).body("changed", equalTo(true));
        revisions.add(response.path("version"));
        List<String> ops = response.path("changes.op");
        List<String> items = response.path("changes.item");
        for (int i = 0; i < ops.size(); i++) {
          if (ops.get(i).equals("add")) {
            additions.add(items.get(i));
          }
        }
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(additions).containsExactlyInAnyOrder("etl", "report");
    // Each PUT saw what its predecessor left: one addition of each pipeline, versions 1..4 of etl.
    assertThat(revisions).containsExactlyInAnyOrder("1", "2", "3", "4");
    pipelineVersion(granted("*", "/workspaces/" + ws), ws, "etl", 4);
    pipelineVersion(granted("*", "/workspaces/" + ws), ws, "report", 1);
  }

  @Test
  void aRunUsesTheVersionChangedThroughTheSection() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    put(author, ws, doc("nightly", PIPELINE), false).then().statusCode(200);
    String changed =
        PIPELINE
            .replace("\"etl-bot\"", "\"etl-bot-2\"")
            .replace(
                "{\"name\": \"load\", \"jobType\": \"noop\", \"dependsOn\": [\"extract\"]}",
                "{\"name\": \"load\", \"jobType\": \"noop\", \"dependsOn\": [\"extract\"]},"
                    + " {\"name\": \"report\", \"jobType\": \"noop\", \"dependsOn\": [\"load\"]}");
    put(author, ws, doc("nightly", changed), false)
        .then()
        .statusCode(200)
        .body("changes[0].details", hasItems("/runAs: \"etl-bot\" -> \"etl-bot-2\""));

    String operator = granted("pipeline.run", "/workspaces/" + ws + "/pipelines/nightly");
    String runId =
        given()
            .auth()
            .oauth2(token(operator))
            .contentType(ContentType.JSON)
            .body("{\"environment\": \"test\", \"parameters\": {\"date\": \"2026-11-26\"}}")
            .post(PIPELINE_PATH + "/runs", ws, "nightly")
            .then()
            .statusCode(201)
            .extract()
            .path("runId");
    Envelope<?> event =
        KafkaProbe.decode(
            KafkaProbe.shared()
                .awaitRecord(
                    Topics.RUN_REQUESTS,
                    KafkaProbe.event(
                        e -> e.type() == EventType.RUN_REQUESTED && runId.equals(e.key()))));
    RunRequested run = (RunRequested) event.data();
    assertThat(run.snapshot().version()).isEqualTo(2);
    assertThat(run.snapshot().runAs()).isEqualTo("etl-bot-2");
    assertThat(run.snapshot().steps()).extracting(s -> s.name()).contains("report");
  }

  @Test
  void dryRunMustBeTrueOrFalse() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    for (String value : List.of("1", "yes", "TRUE", "")) {
      given()
          .auth()
          .oauth2(token(author))
          .contentType(ContentType.JSON)
          .queryParam("dryRun", value)
          .body(doc("etl", PIPELINE))
          .put(SECTION, ws, "pipelines")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("field", equalTo("dryRun"))
          .body("errors.field", hasItems("dryRun"));
    }
    // A bare ?dryRun as well.
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body(doc("etl", PIPELINE))
        .put(SECTION + "?dryRun", ws, "pipelines")
        .then()
        .statusCode(400)
        .body("field", equalTo("dryRun"));
    // And a repeated one, even if each value alone would do.
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .queryParam("dryRun", "true", "false")
        .body(doc("etl", PIPELINE))
        .put(SECTION, ws, "pipelines")
        .then()
        .statusCode(400)
        .body("field", equalTo("dryRun"));
    // None of them applied the document.
    given()
        .auth()
        .oauth2(token(granted("config.read", "/workspaces/" + ws)))
        .get(SECTION, ws, "pipelines")
        .then()
        .statusCode(200)
        .body("$", anEmptyMap());
    assertThat(eventsOf(ws, "etl")).isEmpty();
    // Absent is a real PUT.
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body(doc("etl", PIPELINE))
        .put(SECTION, ws, "pipelines")
        .then()
        .statusCode(200)
        .body("dryRun", equalTo(false))
        .body("version", equalTo("1"));
  }

  @Test
  void aPerPipelinePutThatStoresBumpsTheSectionVersion() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    String writer = granted("pipeline.write", "/workspaces/" + ws);
    put(author, ws, doc("etl", PIPELINE), false)
        .then()
        .statusCode(200)
        .body("version", equalTo("1"));

    putPipeline(writer, ws, "etl", CHANGED).then().statusCode(200).body("version", equalTo(2));
    sectionVersion(author, ws, "2");
    // An identical definition stores nothing, so the section version stays.
    putPipeline(writer, ws, "etl", CHANGED).then().statusCode(200).body("changed", equalTo(false));
    putPipeline(writer, ws, "report", OTHER).then().statusCode(201);
    sectionVersion(author, ws, "3");
    // The version in force is the one the per-pipeline PUTs left: the section sees no change.
    put(author, ws, doc("etl", CHANGED, "report", OTHER), false)
        .then()
        .statusCode(200)
        .body("changed", equalTo(false))
        .body("version", equalTo("3"));
    // The per-pipeline events are unchanged: one per stored version, keyed by the pipeline.
    assertThat(configChanged(ws, "etl", "2").who()).isEqualTo(writer);
    assertThat(configChanged(ws, "report", "1").oldVersion()).isNull();
    assertThat(eventsOf(ws, "etl")).hasSize(2);
  }

  @Test
  void concurrentSectionAndPipelinePutsBumpTheSectionOncePerStoredRequest() {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    String writer = granted("pipeline.write", "/workspaces/" + ws);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    // Every request carries a definition no other one does, so every request stores a version.
    List<CompletableFuture<Response>> puts =
        IntStream.range(0, 8)
            .mapToObj(
                i -> {
                  String definition = PIPELINE.replace("\"nightly load\"", "\"load " + i + "\"");
                  return CompletableFuture.supplyAsync(
                      () ->
                          i % 2 == 0
                              ? put(author, ws, doc("etl", definition), false)
                              : putPipeline(writer, ws, "etl", definition),
                      threads);
                })
            .toList();
    List<String> sectionVersions = new ArrayList<>();
    try {
      for (int i = 0; i < puts.size(); i++) {
        Response response = puts.get(i).join();
        // The section PUT answers 200; the per-pipeline PUT 201 if it created etl, else 200.
        assertThat(response.statusCode()).isIn(200, 201);
        response.then().body("changed", equalTo(true));
        if (i % 2 == 0) {
          sectionVersions.add(response.path("version"));
        }
      }
    } finally {
      threads.shutdownNow();
    }
    pipelineVersion(granted("*", "/workspaces/" + ws), ws, "etl", 8);
    // Eight stored requests, eight revisions; the section PUTs each saw a distinct one.
    sectionVersion(author, ws, "8");
    assertThat(sectionVersions).doesNotHaveDuplicates();
  }

  @Test
  void aPipelineCreatedWhileTheSectionPutRunsWaitsForIt() throws Exception {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    String writer = granted("pipeline.write", "/workspaces/" + ws);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Connection blocker = dataSource.getConnection()) {
      blocker.setAutoCommit(false);
      // Holds back the section PUT's save of "a" (saved before "etl", name order) after it has
      // planned "add etl": its INSERT of version 1 of "a" waits for this uncommitted one.
      try (PreparedStatement insert =
          blocker.prepareStatement(
              "INSERT INTO pipeline_versions (workspace, pipeline, version, definition,"
                  + " created_at, created_by) VALUES (?, 'a', 1, '{}'::jsonb, now(), 'test')")) {
        insert.setString(1, ws);
        insert.executeUpdate();
      }
      CompletableFuture<Response> section =
          CompletableFuture.supplyAsync(
              () -> put(author, ws, doc("a", OTHER, "etl", PIPELINE), false), threads);
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> waitingOn("INSERT INTO pipeline_versions%") > 0);
      CompletableFuture<Response> pipeline =
          CompletableFuture.supplyAsync(() -> putPipeline(writer, ws, "etl", CHANGED), threads);
      // Either it completes (no section lock) or it waits for the section lock.
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> pipeline.isDone() || waitingForSectionLock(ws));
      blocker.rollback();

      section
          .join()
          .then()
          .statusCode(200)
          .body("changes.op", equalTo(List.of("add", "add")))
          .body("changes.item", equalTo(List.of("a", "etl")))
          .body("version", equalTo("1"));
      // The per-pipeline PUT came second: it changed the pipeline the section PUT created.
      pipeline
          .join()
          .then()
          .statusCode(200)
          .body("version", equalTo(2))
          .body("changed", equalTo(true));
    } finally {
      threads.shutdownNow();
    }
    assertThat(configChanged(ws, "etl", "1").who()).isEqualTo(author);
    assertThat(configChanged(ws, "etl", "2").who()).isEqualTo(writer);
    sectionVersion(author, ws, "2");
  }

  @Test
  void aDryRunAnswersTheVersionItsDiffWasMadeAgainst() throws Exception {
    String ws = unique("ws");
    String author = granted("config.write", "/workspaces/" + ws);
    put(author, ws, doc("etl", PIPELINE), false)
        .then()
        .statusCode(200)
        .body("version", equalTo("1"));
    ExecutorService threads = Executors.newSingleThreadExecutor();
    try (Connection writer = dataSource.getConnection()) {
      writer.setAutoCommit(false);
      // Holds the dry run between its two reads: the pipelines cannot be read until this commits.
      writer.createStatement().execute("LOCK TABLE pipeline_versions IN ACCESS EXCLUSIVE MODE");
      CompletableFuture<Response> dryRun =
          CompletableFuture.supplyAsync(() -> put(author, ws, doc("etl", CHANGED), true), threads);
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> waitingOn("SELECT p.pipeline, p.version%") > 0);
      // Meanwhile someone stores exactly what the dry run proposes, as version 2 of the section.
      for (String sql :
          List.of(
              "INSERT INTO pipeline_versions SELECT workspace, pipeline, 2, jsonb_set(definition,"
                  + " '{description}', '\"nightly load v2\"'), now(), 'test' FROM pipeline_versions"
                  + " WHERE workspace = ? AND pipeline = 'etl' AND version = 1",
              "UPDATE pipelines SET version = 2 WHERE workspace = ? AND pipeline = 'etl'",
              "UPDATE config_sections SET version = 2 WHERE workspace = ? AND section = 'pipelines'")) {
        try (PreparedStatement statement = writer.prepareStatement(sql)) {
          statement.setString(1, ws);
          assertThat(statement.executeUpdate()).isEqualTo(1);
        }
      }
      writer.commit();
      // Answered from one snapshot: version 1 with the change against version 1 (not version 1
      // with no change, which would read as "version 1 already is this document").
      dryRun
          .join()
          .then()
          .statusCode(200)
          .body("dryRun", equalTo(true))
          .body("version", equalTo("1"))
          .body("changes.item", equalTo(List.of("etl")))
          .body("changes[0].details", hasItems("version 1 -> 2"));
    } finally {
      threads.shutdownNow();
    }
    sectionVersion(author, ws, "2");
  }

  /** How many backends wait for a lock while running a statement that starts so. */
  private long waitingOn(String statement) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement query =
            c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND query LIKE ?")) {
      query.setString(1, statement);
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Whether a backend waits for the pipelines section lock of {@code ws}. */
  private boolean waitingForSectionLock(String ws) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement query =
            c.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    + " AND objid::text::bigint = (hashtext(?)::bigint & 4294967295)")) {
      query.setString(1, "section/" + ws + "/pipelines"); // VersionTable.lockKey
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  private static Response putPipeline(String subject, String ws, String p, String definition) {
    return given()
        .auth()
        .oauth2(token(subject))
        .contentType(ContentType.JSON)
        .body(definition)
        .put(PIPELINE_PATH, ws, p);
  }

  /** The section version in force, as a dry run of an empty document answers it. */
  private static void sectionVersion(String subject, String ws, String version) {
    put(subject, ws, "{}", true)
        .then()
        .statusCode(200)
        .body("changed", equalTo(false))
        .body("version", equalTo(version));
  }

  private static Response put(String subject, String ws, String body, boolean dryRun) {
    return given()
        .auth()
        .oauth2(token(subject))
        .contentType(ContentType.JSON)
        .queryParam("dryRun", dryRun)
        .body(body)
        .put(SECTION, ws, "pipelines");
  }

  private static String doc(String name, String definition) {
    return "{\"" + name + "\": " + definition + "}";
  }

  private static String doc(String name, String definition, String name2, String definition2) {
    return "{\"" + name + "\": " + definition + ", \"" + name2 + "\": " + definition2 + "}";
  }

  private static void pipelineVersion(String subject, String ws, String p, int version) {
    given()
        .auth()
        .oauth2(token(subject))
        .get(PIPELINE_PATH, ws, p)
        .then()
        .statusCode(200)
        .body("version", equalTo(version));
  }

  private static ConsumerRecord<String, byte[]> configChangedRecord(
      String ws, String p, String newVersion) {
    String key = ws + "/" + p;
    return KafkaProbe.shared()
        .awaitRecord(
            Topics.changes(Principals.TRIGGER_SERVICE),
            KafkaProbe.event(
                e ->
                    e.type() == EventType.CONFIG_CHANGED
                        && key.equals(e.key())
                        && newVersion.equals(((ConfigChanged) e.data()).newVersion())));
  }

  private static ConfigChanged configChanged(String ws, String p, String newVersion) {
    return (ConfigChanged) KafkaProbe.decode(configChangedRecord(ws, p, newVersion)).data();
  }

  private static List<ConsumerRecord<String, byte[]>> eventsOf(String ws, String p) {
    String key = ws + "/" + p;
    return KafkaProbe.shared()
        .records(
            Topics.changes(Principals.TRIGGER_SERVICE),
            KafkaProbe.event(e -> e.type() == EventType.CONFIG_CHANGED && key.equals(e.key())));
  }
}
