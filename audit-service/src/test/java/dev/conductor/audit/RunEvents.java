package dev.conductor.audit;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptStarted;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.DataAccess;
import dev.conductor.events.data.DecisionRecorded;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.PipelineSnapshot;
import dev.conductor.events.data.Requester;
import dev.conductor.events.data.RunQueued;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.RunSucceeded;
import dev.conductor.events.data.StepSpec;
import dev.conductor.testkit.KafkaProbe;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One run's events as the services emit them, each caused by the previous one. Times are skewed on
 * purpose (the executor's clock runs behind): attempt.started is stamped before job.authorized and
 * decision.recorded, so only a causal sort puts it in the right place.
 */
public final class RunEvents {
  public static final String CREDENTIALS = "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.secret-jwe-bundle";
  public static final String PARAM_PASSWORD = "p4ssw0rd-in-parameters";

  public final String runId = UUID.randomUUID().toString();
  public final String workspace = "ws-" + runId.substring(0, 8);
  public final String traceparent = "00-" + runId.replace("-", "") + "-00f067aa0ba902b7-01";
  public final List<Published> events = new ArrayList<>();

  /** An event and the topic it travels on. */
  public record Published(Envelope<?> event, String topic) {}

  public RunEvents() {
    Instant t0 = Instant.parse("2030-01-01T10:00:00Z");
    Requester alice = new Requester("https://idp.example", "alice", List.of("data-eng"));
    String attemptId = UUID.randomUUID().toString();
    String decisionId = UUID.randomUUID().toString();
    List<DataAccess> access = List.of(new DataAccess("pg:sales", List.of("read")));
    StepSpec step =
        new StepSpec(
            "extract", List.of(), "sql", Map.of("sql", "select 1"), "smallrc", 60, 1, access);
    Map<String, Object> parameters = Map.of("date", "2030-01-01", "dbPassword", PARAM_PASSWORD);

    Envelope<?> requested =
        add(
            null,
            EventType.RUN_REQUESTED,
            "trigger-service",
            t0,
            new RunRequested(
                runId,
                workspace,
                "daily-sales",
                new PipelineSnapshot(
                    workspace, "daily-sales", 3, List.of(step), "etl", List.of("dev"), Map.of()),
                parameters,
                "dev",
                alice,
                null,
                "idem-" + runId),
            Topics.RUN_REQUESTS);
    Envelope<?> queued =
        add(
            requested,
            EventType.RUN_QUEUED,
            "scheduler-service",
            t0.plusSeconds(1),
            new RunQueued(runId, "dev", t0.plusSeconds(1)),
            Topics.RUNS);
    Envelope<?> scheduled =
        add(
            queued,
            EventType.JOB_SCHEDULED,
            "scheduler-service",
            t0.plusSeconds(2),
            new JobScheduled(
                runId,
                "extract",
                attemptId,
                1,
                workspace,
                "daily-sales",
                3,
                "sql",
                Map.of("sql", "select 1"),
                parameters,
                access,
                "etl",
                alice,
                "dev",
                "smallrc",
                1,
                t0.plusSeconds(2),
                t0.plusSeconds(600),
                1),
            Topics.RUNS);
    Envelope<?> decided =
        add(
            scheduled,
            EventType.DECISION_RECORDED,
            "identity-broker",
            t0.plusSeconds(3),
            new DecisionRecorded(
                decisionId,
                runId,
                attemptId,
                "allow",
                "alice",
                "etl",
                "run",
                List.of("pg:sales"),
                List.of("developer@/workspaces/" + workspace),
                "seed-1",
                List.of("granted")),
            Topics.DECISIONS);
    Envelope<?> authorized =
        add(
            decided,
            EventType.JOB_AUTHORIZED,
            "identity-broker",
            t0.plusSeconds(4),
            new JobAuthorized(
                runId,
                "extract",
                attemptId,
                1,
                "sql",
                Map.of("sql", "select 1"),
                Map.of("date", "2030-01-01"),
                t0.plusSeconds(600),
                decisionId,
                CREDENTIALS,
                1,
                1),
            Topics.jobs("dev"));
    Envelope<?> started =
        add(
            authorized,
            EventType.ATTEMPT_STARTED,
            "executor-service",
            t0.plusMillis(2_500), // skewed clock: before decision.recorded and job.authorized
            new AttemptStarted(runId, "extract", attemptId, "exec-1", t0.plusMillis(2_500)),
            Topics.attempts("dev"));
    Envelope<?> succeeded =
        add(
            started,
            EventType.ATTEMPT_SUCCEEDED,
            "executor-service",
            t0.plusSeconds(5),
            new AttemptSucceeded(runId, "extract", attemptId, "exec-1", "1 row", t0.plusSeconds(5)),
            Topics.attempts("dev"));
    add(
        succeeded,
        EventType.RUN_SUCCEEDED,
        "scheduler-service",
        t0.plusSeconds(6),
        new RunSucceeded(runId, t0.plusSeconds(1), t0.plusSeconds(6)),
        Topics.RUNS);
  }

  private <T> Envelope<T> add(
      Envelope<?> cause, EventType type, String module, Instant time, T data, String topic) {
    Envelope<T> event =
        new Envelope<>(
            UUID.randomUUID().toString(),
            type,
            Envelope.sourceOf(module),
            runId,
            time,
            cause == null ? null : cause.id(),
            runId,
            data);
    events.add(new Published(event, topic));
    return event;
  }

  /** The short type names in causal order. */
  public List<String> types() {
    return events.stream().map(p -> p.event().type().type()).toList();
  }

  /**
   * Publishes every event in reverse (anti-causal) order, event {@code duplicate} twice in a row.
   * Once the first event (published last, after the duplicate on the same partition) is recorded,
   * the duplicate has been consumed too.
   */
  public void publishReversed(int duplicate) {
    for (int i = events.size() - 1; i >= 0; i--) {
      Published p = events.get(i);
      KafkaProbe.shared().publish(p.event(), p.topic(), traceparent);
      if (i == duplicate) {
        KafkaProbe.shared().publish(p.event(), p.topic(), traceparent);
      }
    }
  }
}
