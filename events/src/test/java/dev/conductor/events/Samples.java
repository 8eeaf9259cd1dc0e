package dev.conductor.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.events.data.*;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One realistic payload per {@link EventType}, as the services would emit it. Values are chosen to
 * survive a JSON round trip unchanged (ints, not longs, inside {@code Map<String, Object>}).
 */
public final class Samples {
  public static final String RUN_ID = "run-01J9Z3K8Q4T6W2X5Y7A9B1C3D5";
  public static final String ATTEMPT_ID = "att-01J9Z3M2N4P6R8S0T2V4W6X8Y0";
  public static final String DECISION_ID = "dec-01J9Z3N5Q7S9U1W3Y5A7C9E1G3";
  public static final String LEASE_ID = "lease-01J9Z3P8R0T2V4X6Z8B0D2F4H6";
  public static final String EXECUTOR_ID = "executor-dev-7f9c4b6d8-x2kqz";
  public static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  public static final String HASH_A =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  public static final String HASH_B =
      "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

  /** Microseconds on purpose: times must survive headers, structured JSON and data alike. */
  public static final Instant T0 = Instant.parse("2025-03-14T09:26:53.589793Z");

  private static final Map<EventType, Supplier<Object>> BY_TYPE = new EnumMap<>(EventType.class);

  static {
    BY_TYPE.put(EventType.TRIGGER_REQUESTED, Samples::triggerRequested);
    BY_TYPE.put(EventType.RUN_REQUESTED, Samples::runRequested);
    BY_TYPE.put(EventType.RUN_REJECTED, Samples::runRejected);
    BY_TYPE.put(EventType.RUN_QUEUED, Samples::runQueued);
    BY_TYPE.put(EventType.RUN_SUCCEEDED, Samples::runSucceeded);
    BY_TYPE.put(EventType.RUN_FAILED, Samples::runFailed);
    BY_TYPE.put(EventType.RUN_CANCELLED, Samples::runCancelled);
    BY_TYPE.put(EventType.JOB_WAITING, Samples::jobWaiting);
    BY_TYPE.put(EventType.JOB_SCHEDULED, Samples::jobScheduled);
    BY_TYPE.put(EventType.DECISION_RECORDED, Samples::decisionRecorded);
    BY_TYPE.put(EventType.CREDENTIAL_ISSUED, Samples::credentialIssued);
    BY_TYPE.put(EventType.CREDENTIAL_REVOKED, Samples::credentialRevoked);
    BY_TYPE.put(EventType.JOB_AUTHORIZED, Samples::jobAuthorized);
    BY_TYPE.put(EventType.JOB_DENIED, Samples::jobDenied);
    BY_TYPE.put(EventType.JOB_CREDENTIAL_FAILED, Samples::jobCredentialFailed);
    BY_TYPE.put(EventType.ATTEMPT_CANCEL_REQUESTED, Samples::attemptCancelRequested);
    BY_TYPE.put(EventType.ATTEMPT_STARTED, Samples::attemptStarted);
    BY_TYPE.put(EventType.ATTEMPT_HEARTBEAT, Samples::attemptHeartbeat);
    BY_TYPE.put(EventType.ATTEMPT_SUCCEEDED, Samples::attemptSucceeded);
    BY_TYPE.put(EventType.ATTEMPT_FAILED, Samples::attemptFailed);
    BY_TYPE.put(EventType.ATTEMPT_TIMED_OUT, Samples::attemptTimedOut);
    BY_TYPE.put(EventType.ATTEMPT_FENCED, Samples::attemptFenced);
    BY_TYPE.put(EventType.ATTEMPT_CANCELLED, Samples::attemptCancelled);
    BY_TYPE.put(EventType.CONFIG_CHANGED, Samples::configChanged);
    BY_TYPE.put(EventType.AUDIT_RECORD, Samples::auditRecord);
    BY_TYPE.put(EventType.AUDIT_CHECKPOINT, Samples::auditCheckpoint);
  }

  private Samples() {}

  /** The types that have a sample. */
  public static Set<EventType> types() {
    return BY_TYPE.keySet();
  }

  /** The sample payload of {@code type}. */
  public static Object data(EventType type) {
    Supplier<Object> sample = BY_TYPE.get(type);
    if (sample == null) {
      throw new IllegalArgumentException("no sample for " + type.type());
    }
    return sample.get();
  }

  /** The sample payload of {@code type} as a JSON tree, for editing in negative tests. */
  public static ObjectNode tree(EventType type) {
    return (ObjectNode) EventCodec.toTree(data(type));
  }

  /** A sample envelope of {@code type}, with a cause and every optional attribute set. */
  public static Envelope<?> envelope(EventType type) {
    String key = keyOf(type);
    return new Envelope<>(
        "evt-" + type.shortName() + "-0001",
        type,
        sourceOf(type),
        type == EventType.CONFIG_CHANGED ? null : RUN_ID,
        T0,
        type == EventType.TRIGGER_REQUESTED ? null : "evt-cause-0001",
        key,
        data(type));
  }

  /** The pool used for per-pool topics in samples. */
  public static String pool() {
    return "dev";
  }

  private static String keyOf(EventType type) {
    return switch (type) {
      case CONFIG_CHANGED -> "analytics";
      case AUDIT_CHECKPOINT -> "chain-2";
      default -> RUN_ID;
    };
  }

  private static String sourceOf(EventType type) {
    String name = type.shortName();
    if (type == EventType.TRIGGER_REQUESTED) {
      return "//ci.example.com/jobs/nightly-export";
    } else if (type == EventType.RUN_REQUESTED) {
      return Envelope.sourceOf("trigger-service");
    } else if (type == EventType.ATTEMPT_CANCEL_REQUESTED
        || name.startsWith("run.")
        || name.startsWith("job.waiting")
        || name.startsWith("job.scheduled")
        || name.startsWith("config.")) {
      return Envelope.sourceOf("scheduler-service");
    } else if (name.startsWith("attempt.")) {
      return Envelope.sourceOf("executor-service");
    } else if (name.startsWith("audit.")) {
      return Envelope.sourceOf("audit-service");
    }
    return Envelope.sourceOf("identity-broker");
  }

  // ---- shared parts

  static Requester requester() {
    return new Requester(
        "https://login.example.com/tenant-42/v2.0",
        "a1b2c3d4-0000-4e5f-9a8b-7c6d5e4f3a2b",
        List.of("data-engineers", "analytics-admins"));
  }

  static List<DataAccess> dataAccess() {
    return List.of(
        new DataAccess("postgres://warehouse/analytics/sales", List.of("read")),
        new DataAccess("postgres://warehouse/analytics/sales_daily", List.of("read", "write")));
  }

  static Map<String, Object> parameters() {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("date", "2025-03-13");
    parameters.put("fullRefresh", false);
    parameters.put("batchSize", 5000);
    parameters.put("regions", List.of("emea", "apac"));
    return parameters;
  }

  static Map<String, Object> sqlSpec() {
    return Map.of(
        "statement",
        "INSERT INTO sales_daily SELECT day, sum(amount) FROM sales GROUP BY day",
        "target",
        "postgres://warehouse/analytics",
        "options",
        Map.of("statementTimeoutMs", 600000, "readOnly", false));
  }

  static PipelineSnapshot snapshot() {
    StepSpec extract =
        new StepSpec(
            "extract",
            List.of(),
            "http",
            Map.of("url", "https://api.example.com/exports/sales", "method", "GET"),
            "smallrc",
            900,
            2,
            List.of(new DataAccess("https://api.example.com/exports", List.of("read"))));
    StepSpec load =
        new StepSpec(
            "load", List.of("extract"), "sql", sqlSpec(), "mediumrc", 3600, 1, dataAccess());
    // a minimal step: only what is required, every optional field null or default
    StepSpec notify = new StepSpec("notify", List.of("load"), "noop", null, null, 0, 0, null);
    return new PipelineSnapshot(
        "analytics",
        "nightly-sales",
        7,
        List.of(extract, load, notify),
        "svc-analytics-etl",
        List.of("dev", "test", "prod"),
        Map.of("team", "analytics", "cost-center", "cc-1042"));
  }

  // ---- one factory per type

  static TriggerRequested triggerRequested() {
    return new TriggerRequested(
        "analytics", "nightly-sales", "dev", parameters(), "ci-nightly-2025-03-13");
  }

  static RunRequested runRequested() {
    return new RunRequested(
        RUN_ID,
        "analytics",
        "nightly-sales",
        snapshot(),
        parameters(),
        "dev",
        requester(),
        "trg-nightly-sales-cron",
        "ci-nightly-2025-03-13");
  }

  static RunRejected runRejected() {
    return new RunRejected(RUN_ID, "unknown-pool", "pool 'staging' is not configured");
  }

  static RunQueued runQueued() {
    return new RunQueued(RUN_ID, "dev", T0.plusMillis(12));
  }

  static RunSucceeded runSucceeded() {
    return new RunSucceeded(RUN_ID, T0.plusSeconds(1), T0.plusSeconds(1800));
  }

  static RunFailed runFailed() {
    return new RunFailed(
        RUN_ID,
        "step-failed",
        "load",
        "attempt 2 of load failed: relation \"sales\" does not exist",
        T0.plusSeconds(900));
  }

  static RunCancelled runCancelled() {
    return new RunCancelled(RUN_ID, "user:jane.doe@example.com", T0.plusSeconds(60));
  }

  static JobWaiting jobWaiting() {
    return new JobWaiting(
        RUN_ID, "load", ATTEMPT_ID, "dev", "quota", Map.of("used", 12L, "cap", 12L, "queued", 3L));
  }

  static JobScheduled jobScheduled() {
    return new JobScheduled(
        RUN_ID,
        "load",
        ATTEMPT_ID,
        1,
        "analytics",
        "nightly-sales",
        7,
        "sql",
        sqlSpec(),
        parameters(),
        dataAccess(),
        "svc-analytics-etl",
        requester(),
        "dev",
        "mediumrc",
        2,
        T0.plusSeconds(5),
        T0.plusSeconds(3605),
        1);
  }

  static DecisionRecorded decisionRecorded() {
    return new DecisionRecorded(
        DECISION_ID,
        RUN_ID,
        ATTEMPT_ID,
        "allow",
        "user:a1b2c3d4-0000-4e5f-9a8b-7c6d5e4f3a2b",
        "svc-analytics-etl",
        "job.run",
        List.of(
            "postgres://warehouse/analytics/sales", "postgres://warehouse/analytics/sales_daily"),
        List.of("asg-analytics-engineers-dev", "grant-etl-sales-rw"),
        "policy-v42",
        List.of("role data-engineer at /workspaces/analytics grants pipeline.run"));
  }

  static CredentialIssued credentialIssued() {
    return new CredentialIssued(
        LEASE_ID,
        RUN_ID,
        ATTEMPT_ID,
        "postgres",
        T0.plusSeconds(3605),
        "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
  }

  static CredentialRevoked credentialRevoked() {
    return new CredentialRevoked(LEASE_ID, RUN_ID, ATTEMPT_ID, "attempt-finished");
  }

  static JobAuthorized jobAuthorized() {
    return new JobAuthorized(
        RUN_ID,
        "load",
        ATTEMPT_ID,
        1,
        "sql",
        sqlSpec(),
        parameters(),
        T0.plusSeconds(3605),
        DECISION_ID,
        "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkEyNTZHQ00ifQ"
            + ".a2V5LWVuY3J5cHRlZA.aXYtMTIzNDU2Nzg.Y2lwaGVydGV4dA.dGFnLTEyMzQ1Njc4",
        1,
        1);
  }

  static JobDenied jobDenied() {
    return new JobDenied(
        RUN_ID, "load", ATTEMPT_ID, DECISION_ID, "no grant covers tag pii on analytics.customers");
  }

  static JobCredentialFailed jobCredentialFailed() {
    return new JobCredentialFailed(
        RUN_ID, "load", ATTEMPT_ID, DECISION_ID, "target cluster warehouse unreachable");
  }

  static AttemptCancelRequested attemptCancelRequested() {
    return new AttemptCancelRequested(RUN_ID, ATTEMPT_ID, "user:jane.doe@example.com");
  }

  static AttemptStarted attemptStarted() {
    return new AttemptStarted(RUN_ID, "load", ATTEMPT_ID, EXECUTOR_ID, T0.plusSeconds(6));
  }

  static AttemptHeartbeat attemptHeartbeat() {
    return new AttemptHeartbeat(RUN_ID, "load", ATTEMPT_ID, EXECUTOR_ID, T0.plusSeconds(36));
  }

  static AttemptSucceeded attemptSucceeded() {
    return new AttemptSucceeded(
        RUN_ID, "load", ATTEMPT_ID, EXECUTOR_ID, "INSERT 0 1462", T0.plusSeconds(420));
  }

  static AttemptFailed attemptFailed() {
    return new AttemptFailed(
        RUN_ID,
        "load",
        ATTEMPT_ID,
        EXECUTOR_ID,
        "ERROR: relation \"sales\" does not exist (SQLSTATE 42P01)",
        T0.plusSeconds(30));
  }

  static AttemptTimedOut attemptTimedOut() {
    return new AttemptTimedOut(RUN_ID, "load", ATTEMPT_ID, EXECUTOR_ID, T0.plusSeconds(3605));
  }

  static AttemptFenced attemptFenced() {
    return new AttemptFenced(
        RUN_ID, "load", ATTEMPT_ID, 1, EXECUTOR_ID, "lease expired", T0.plusSeconds(95));
  }

  static AttemptCancelled attemptCancelled() {
    return new AttemptCancelled(RUN_ID, "load", ATTEMPT_ID, EXECUTOR_ID, T0.plusSeconds(61));
  }

  static ConfigChanged configChanged() {
    return new ConfigChanged("analytics", "quotas", "user:jane.doe@example.com", "v11", "v12");
  }

  static AuditRecord auditRecord() {
    JsonNode recorded =
        EventCodec.toStructuredTree(
            EventCodec.toCloudEvent(
                new Envelope<>(
                    "evt-attempt.started-0001",
                    EventType.ATTEMPT_STARTED,
                    Envelope.sourceOf("executor-service"),
                    RUN_ID,
                    T0.plusSeconds(6),
                    "evt-cause-0001",
                    RUN_ID,
                    attemptStarted())));
    return new AuditRecord(
        2,
        1042L,
        HASH_A,
        HASH_B,
        Topics.JOB_EVENTS,
        "evt-attempt.started-0001",
        Envelope.sourceOf("executor-service"),
        EventType.ATTEMPT_STARTED.type(),
        RUN_ID,
        "evt-cause-0001",
        TRACEPARENT,
        T0.plusSeconds(7),
        recorded);
  }

  static AuditCheckpoint auditCheckpoint() {
    return new AuditCheckpoint(
        2,
        1042L,
        HASH_B,
        T0.plusSeconds(60),
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImF1ZGl0LTEifQ..MEUCIQDx8z3kL2p");
  }
}
