package dev.conductor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.deploy.local.LocalStack;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.data.AttemptFenced;
import dev.conductor.events.data.AttemptStarted;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.CredentialRevoked;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An executor that stops answering (SIGSTOP: alive, holding its job, silent) loses its attempt at
 * the lease's end: the scheduler fences it, the broker revokes its credentials, a retry runs. When
 * the executor wakes and reports the first attempt's success, that late outcome is on record and
 * changes nothing: the run succeeds through the retry.
 */
class FencedAttemptE2ETest {
  private static final String WS = "demo";
  private static final String PIPELINE =
      """
      {"runAs": "etl-bot", "environments": ["dev"], "parameters": {"type": "object"},
       "steps": [{"name": "slow", "jobType": "sleep", "spec": {"millis": 3000},
                  "resourceClass": "smallrc", "maxRetries": 1,
                  "dataAccess": [{"resource": "warehouse", "permissions": ["read"]}]}]}
      """;

  private static Conductor conductor;

  @BeforeAll
  static void startStack() {
    conductor = Conductor.start();
    conductor.putPipeline("alice", WS, "fenced", PIPELINE).then().statusCode(201);
  }

  @AfterAll
  static void stopStack() {
    if (conductor != null) {
      conductor.close();
    }
  }

  @Test
  void aFencedAttemptsLateOutcomeIsRecordedAndChangesNothing() throws Exception {
    String runId =
        conductor
            .startRun("alice", WS, "fenced", "{\"environment\":\"dev\",\"parameters\":{}}")
            .then()
            .statusCode(201)
            .extract()
            .path("runId");
    AttemptStarted first =
        await("the first attempt starts")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> first(runId, EventType.ATTEMPT_STARTED, AttemptStarted.class),
                Objects::nonNull);

    long pid = conductor.stack.process(LocalStack.executorName("dev")).pid();
    signal("STOP", pid);
    AttemptFenced fenced;
    try {
      fenced =
          await("the silent attempt is fenced when its lease ends")
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> first(runId, EventType.ATTEMPT_FENCED, AttemptFenced.class),
                  Objects::nonNull);
    } finally {
      signal("CONT", pid);
    }
    assertThat(fenced.attemptId()).isEqualTo(first.attemptId());
    assertThat(fenced.attemptNumber()).isEqualTo(1);

    // The executor wakes, finishes the first attempt and says so; the retry runs the step.
    await("the first attempt's late success and the retry's are both reported")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> all(runId, EventType.ATTEMPT_SUCCEEDED, AttemptSucceeded.class).size() >= 2);
    List<Envelope<?>> succeeded = events(runId, EventType.ATTEMPT_SUCCEEDED);
    Envelope<?> late =
        succeeded.stream()
            .filter(e -> ((AttemptSucceeded) e.data()).attemptId().equals(first.attemptId()))
            .findFirst()
            .orElseThrow();
    Envelope<?> retry =
        succeeded.stream()
            .filter(e -> !((AttemptSucceeded) e.data()).attemptId().equals(first.attemptId()))
            .findFirst()
            .orElseThrow();

    await("the run succeeds")
        .atMost(Duration.ofSeconds(60))
        .until(() -> !events(runId, EventType.RUN_SUCCEEDED).isEmpty());
    Envelope<?> runSucceeded = events(runId, EventType.RUN_SUCCEEDED).get(0);
    assertThat(runSucceeded.causationId())
        .as("the run ended on the retry's outcome, not the fenced attempt's")
        .isEqualTo(retry.id())
        .isNotEqualTo(late.id());
    assertThat(events(runId, EventType.RUN_SUCCEEDED)).hasSize(1);
    assertThat(conductor.run(runId).jsonPath().getList("steps.attempts", Integer.class))
        .containsExactly(2);

    // What the broker issued for the fenced attempt was revoked because it was fenced.
    assertThat(all(runId, EventType.CREDENTIAL_REVOKED, CredentialRevoked.class))
        .filteredOn(r -> r.attemptId().equals(first.attemptId()))
        .isNotEmpty()
        .extracting(CredentialRevoked::reason)
        .contains("attempt.fenced");

    // The audit holds the late report beside the fence.
    await("the audit records both")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              String timeline = conductor.timeline(runId).asString();
              return timeline.contains("dev.conductor.attempt.fenced.v1")
                  && timeline.split("dev.conductor.attempt.succeeded.v1", -1).length - 1 == 2;
            });
    assertThat(conductor.deadLetters()).isEmpty();
  }

  private static <T> T first(String runId, EventType type, Class<T> data) {
    List<T> all = all(runId, type, data);
    return all.isEmpty() ? null : all.get(0);
  }

  private static <T> List<T> all(String runId, EventType type, Class<T> data) {
    return events(runId, type).stream().map(e -> data.cast(e.data())).toList();
  }

  /** The run's events of one type, in the order of their topic (the dev pool's, if per pool). */
  private static List<Envelope<?>> events(String runId, EventType type) {
    return conductor.readAll(type.topic("dev")).stream()
        .filter(r -> runId.equals(r.key()))
        .<Envelope<?>>map(r -> KafkaEvents.decode(r.headers(), r.key(), r.value()))
        .filter(e -> e.type() == type)
        .toList();
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
  }
}
