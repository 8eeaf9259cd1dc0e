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
  TRIGGER_REQUESTED("trigger.requested", TriggerRequested.class, Topics.TRIGGERS, Scope.SHARED),
  RUN_REQUESTED("run.requested", RunRequested.class, Topics.RUN_REQUESTS, Scope.SHARED),
  RUN_REJECTED("run.rejected", RunRejected.class, Topics.RUNS, Scope.SHARED),
  RUN_QUEUED("run.queued", RunQueued.class, Topics.RUNS, Scope.SHARED),
  RUN_SUCCEEDED("run.succeeded", RunSucceeded.class, Topics.RUNS, Scope.SHARED),
  RUN_FAILED("run.failed", RunFailed.class, Topics.RUNS, Scope.SHARED),
  RUN_CANCELLED("run.cancelled", RunCancelled.class, Topics.RUNS, Scope.SHARED),
  JOB_WAITING("job.waiting", JobWaiting.class, Topics.RUNS, Scope.SHARED),
  JOB_SCHEDULED("job.scheduled", JobScheduled.class, Topics.RUNS, Scope.SHARED),
  DECISION_RECORDED("decision.recorded", DecisionRecorded.class, Topics.DECISIONS, Scope.SHARED),
  CREDENTIAL_ISSUED("credential.issued", CredentialIssued.class, Topics.DECISIONS, Scope.SHARED),
  CREDENTIAL_REVOKED("credential.revoked", CredentialRevoked.class, Topics.DECISIONS, Scope.SHARED),
  JOB_AUTHORIZED("job.authorized", JobAuthorized.class, Topics.JOBS_PREFIX, Scope.PER_POOL),
  JOB_DENIED("job.denied", JobDenied.class, Topics.JOB_EVENTS, Scope.SHARED),
  JOB_CREDENTIAL_FAILED(
      "job.credential-failed", JobCredentialFailed.class, Topics.JOB_EVENTS, Scope.SHARED),
  ATTEMPT_CANCEL_REQUESTED(
      "attempt.cancel-requested",
      AttemptCancelRequested.class,
      Topics.CONTROL_PREFIX,
      Scope.PER_POOL),
  ATTEMPT_STARTED("attempt.started", AttemptStarted.class, Topics.ATTEMPTS_PREFIX, Scope.PER_POOL),
  ATTEMPT_HEARTBEAT(
      "attempt.heartbeat", AttemptHeartbeat.class, Topics.ATTEMPTS_PREFIX, Scope.PER_POOL),
  ATTEMPT_SUCCEEDED(
      "attempt.succeeded", AttemptSucceeded.class, Topics.ATTEMPTS_PREFIX, Scope.PER_POOL),
  ATTEMPT_FAILED("attempt.failed", AttemptFailed.class, Topics.ATTEMPTS_PREFIX, Scope.PER_POOL),
  ATTEMPT_TIMED_OUT(
      "attempt.timed-out", AttemptTimedOut.class, Topics.ATTEMPTS_PREFIX, Scope.PER_POOL),
  ATTEMPT_CANCELLED(
      "attempt.cancelled", AttemptCancelled.class, Topics.ATTEMPTS_PREFIX, Scope.PER_POOL),
  ATTEMPT_FENCED("attempt.fenced", AttemptFenced.class, Topics.RUNS, Scope.SHARED),
  CONFIG_CHANGED("config.changed", ConfigChanged.class, Topics.CHANGES_PREFIX, Scope.PER_WRITER),
  AUDIT_RECORD("audit.record", AuditRecord.class, Topics.AUDIT, Scope.SHARED),
  AUDIT_CHECKPOINT("audit.checkpoint", AuditCheckpoint.class, Topics.AUDIT, Scope.SHARED);

  private static final Map<String, EventType> BY_TYPE =
      Arrays.stream(values()).collect(Collectors.toMap(EventType::type, Function.identity()));

  /** Whether a type has one topic, one per pool, or one per writing service. */
  public enum Scope {
    SHARED,
    /** {@code <prefix><pool>}: each pool's executors read or write only their own. */
    PER_POOL,
    /** {@code <prefix><principal>}: each writing service has its own, so one writer per topic. */
    PER_WRITER
  }

  private final String name;
  private final Class<?> dataClass;
  private final String topic;
  private final Scope scope;

  EventType(String name, Class<?> dataClass, String topic, Scope scope) {
    this.name = name;
    this.dataClass = dataClass;
    this.topic = topic;
    this.scope = scope;
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

  public Scope scope() {
    return scope;
  }

  /**
   * True when the topic is one per pool ({@code conductor.jobs.<pool>}, {@code
   * conductor.control.<pool>}, {@code conductor.attempts.<pool>}).
   */
  public boolean perPool() {
    return scope == Scope.PER_POOL;
  }

  /** The topic of a {@link Scope#SHARED} type. */
  public String topic() {
    if (scope != Scope.SHARED) {
      throw new IllegalStateException(
          type() + " goes to a topic per " + scope + "; call topic(pool or writer)");
    }
    return topic;
  }

  /**
   * The topic for the given pool ({@link Scope#PER_POOL}) or writing principal ({@link
   * Scope#PER_WRITER}); ignored by shared types.
   */
  public String topic(String poolOrWriter) {
    return scope == Scope.SHARED ? topic : topic + poolOrWriter;
  }

  /**
   * True when {@code topic} is where this type's one writer publishes it. A consumer acts only on
   * events that belong on the topic they arrived on: the bus's ACLs let only that writer write the
   * topic, so an event that passes was written by the service entitled to say it.
   */
  public boolean belongsOn(String topic) {
    return scope == Scope.SHARED
        ? this.topic.equals(topic)
        : topic.startsWith(this.topic) && topic.length() > this.topic.length();
  }

  /** Class-path location of this type's JSON Schema. */
  public String schemaResource() {
    return "/schemas/" + name + ".v1.json";
  }

  public static Optional<EventType> ofType(String type) {
    return Optional.ofNullable(BY_TYPE.get(type));
  }
}
