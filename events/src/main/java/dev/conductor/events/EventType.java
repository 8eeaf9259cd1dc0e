package dev.conductor.events;

import dev.conductor.events.data.*;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every CloudEvent type Conductor emits: its {@code type} attribute, its payload record, its topic
 * and its JSON Schema. Types are never renamed; a breaking change is a new {@code .v2} constant.
 */
public enum EventType {
  TRIGGER_REQUESTED("trigger.requested", TriggerRequested.class, Topics.TRIGGERS, false),
  RUN_REQUESTED("run.requested", RunRequested.class, Topics.RUNS, false),
  RUN_REJECTED("run.rejected", RunRejected.class, Topics.RUNS, false),
  RUN_QUEUED("run.queued", RunQueued.class, Topics.RUNS, false),
  RUN_SUCCEEDED("run.succeeded", RunSucceeded.class, Topics.RUNS, false),
  RUN_FAILED("run.failed", RunFailed.class, Topics.RUNS, false),
  RUN_CANCELLED("run.cancelled", RunCancelled.class, Topics.RUNS, false),
  JOB_WAITING("job.waiting", JobWaiting.class, Topics.RUNS, false),
  JOB_SCHEDULED("job.scheduled", JobScheduled.class, Topics.RUNS, false),
  DECISION_RECORDED("decision.recorded", DecisionRecorded.class, Topics.DECISIONS, false),
  CREDENTIAL_ISSUED("credential.issued", CredentialIssued.class, Topics.DECISIONS, false),
  CREDENTIAL_REVOKED("credential.revoked", CredentialRevoked.class, Topics.DECISIONS, false),
  JOB_AUTHORIZED("job.authorized", JobAuthorized.class, Topics.JOBS_PREFIX, true),
  JOB_DENIED("job.denied", JobDenied.class, Topics.JOB_EVENTS, false),
  JOB_CREDENTIAL_FAILED(
      "job.credential-failed", JobCredentialFailed.class, Topics.JOB_EVENTS, false),
  ATTEMPT_CANCEL_REQUESTED(
      "attempt.cancel-requested", AttemptCancelRequested.class, Topics.CONTROL_PREFIX, true),
  ATTEMPT_STARTED("attempt.started", AttemptStarted.class, Topics.JOB_EVENTS, false),
  ATTEMPT_HEARTBEAT("attempt.heartbeat", AttemptHeartbeat.class, Topics.JOB_EVENTS, false),
  ATTEMPT_SUCCEEDED("attempt.succeeded", AttemptSucceeded.class, Topics.JOB_EVENTS, false),
  ATTEMPT_FAILED("attempt.failed", AttemptFailed.class, Topics.JOB_EVENTS, false),
  ATTEMPT_TIMED_OUT("attempt.timed-out", AttemptTimedOut.class, Topics.JOB_EVENTS, false),
  ATTEMPT_CANCELLED("attempt.cancelled", AttemptCancelled.class, Topics.JOB_EVENTS, false),
  ATTEMPT_FENCED("attempt.fenced", AttemptFenced.class, Topics.JOB_EVENTS, false),
  CONFIG_CHANGED("config.changed", ConfigChanged.class, Topics.CHANGES, false),
  AUDIT_RECORD("audit.record", AuditRecord.class, Topics.AUDIT, false),
  AUDIT_CHECKPOINT("audit.checkpoint", AuditCheckpoint.class, Topics.AUDIT, false);

  private static final Map<String, EventType> BY_TYPE =
      Arrays.stream(values()).collect(Collectors.toMap(EventType::type, Function.identity()));

  private final String name;
  private final Class<?> dataClass;
  private final String topic;
  private final boolean perPool;

  EventType(String name, Class<?> dataClass, String topic, boolean perPool) {
    this.name = name;
    this.dataClass = dataClass;
    this.topic = topic;
    this.perPool = perPool;
  }

  /** The CloudEvents {@code type} attribute, e.g. {@code dev.conductor.run.requested.v1}. */
  public String type() {
    return "dev.conductor." + name + ".v1";
  }

  /** The short name, e.g. {@code run.requested}. */
  public String shortName() {
    return name;
  }

  public Class<?> dataClass() {
    return dataClass;
  }

  /**
   * True when the topic is one per pool ({@code conductor.jobs.<pool>}, {@code
   * conductor.control.<pool>}).
   */
  public boolean perPool() {
    return perPool;
  }

  /** The topic of a type that is not per pool. */
  public String topic() {
    if (perPool) {
      throw new IllegalStateException(type() + " goes to a per-pool topic; call topic(pool)");
    }
    return topic;
  }

  /** The topic for the given pool; the pool is ignored by types that are not per pool. */
  public String topic(String pool) {
    return perPool ? topic + pool : topic;
  }

  /** Class-path location of this type's JSON Schema. */
  public String schemaResource() {
    return "/schemas/" + name + ".v1.json";
  }

  public static Optional<EventType> ofType(String type) {
    return Optional.ofNullable(BY_TYPE.get(type));
  }
}
