package dev.conductor.events;

import java.util.ArrayList;
import java.util.List;

/**
 * Every Kafka topic Conductor uses, with its partition count, its one writer and its readers: the
 * one list from which the test kit, the local runner and deployments create topics and their ACLs
 * before any service starts (brokers run with auto.create.topics.enable=false).
 *
 * <p>Every topic has exactly one writing principal, so an ACL can say who may produce each event: a
 * consumer that reads a topic knows which service wrote every record on it. Where several services
 * write the same kind of event (configuration changes, dead letters) each has a topic of its own,
 * suffixed with its principal; each pool's executors have their own outcome topic.
 */
public final class Topics {
  public static final String TRIGGERS = "conductor.triggers";

  /** Run requests, from the trigger service only. */
  public static final String RUN_REQUESTS = "conductor.run-requests";

  /** Run lifecycle, waits, dispatches and fences, from the scheduler only. */
  public static final String RUNS = "conductor.runs";

  public static final String DECISIONS = "conductor.decisions";

  /** The broker's refusals of jobs ({@code job.denied}, {@code job.credential-failed}). */
  public static final String JOB_EVENTS = "conductor.job-events";

  public static final String AUDIT = "conductor.audit";
  public static final String JOBS_PREFIX = "conductor.jobs.";
  public static final String CONTROL_PREFIX = "conductor.control.";

  /** Attempt outcomes from one pool's executors: {@code conductor.attempts.<pool>}. */
  public static final String ATTEMPTS_PREFIX = "conductor.attempts.";

  /** One service's configuration changes: {@code conductor.changes.<principal>}. */
  public static final String CHANGES_PREFIX = "conductor.changes.";

  /** What one service could not process: {@code conductor.dlq.<principal>}. */
  public static final String DLQ_PREFIX = "conductor.dlq.";

  /** The pools every installation has unless configured otherwise. */
  public static final List<String> DEFAULT_POOLS = List.of("dev", "test", "prod");

  /** Partitions of {@code conductor.audit}; also the number of audit hash chains. */
  public static final int AUDIT_PARTITIONS = 4;

  private static final int DEFAULT_PARTITIONS = 4;

  private Topics() {}

  public static String jobs(String pool) {
    return JOBS_PREFIX + pool;
  }

  public static String control(String pool) {
    return CONTROL_PREFIX + pool;
  }

  public static String attempts(String pool) {
    return ATTEMPTS_PREFIX + pool;
  }

  /** The configuration changes of the service whose principal is {@code writer}. */
  public static String changes(String writer) {
    return CHANGES_PREFIX + writer;
  }

  /** The dead letters of the service (or pool's executors) whose principal is {@code writer}. */
  public static String dlq(String writer) {
    return DLQ_PREFIX + writer;
  }

  /** True for any service's dead-letter topic. */
  public static boolean isDlq(String topic) {
    return topic.startsWith(DLQ_PREFIX);
  }

  /**
   * A topic to create, with its partition count, whether the broker stamps append time, the one
   * principal that may write it ({@link Principals#UPSTREAM} standing for every upstream producer)
   * and the principals that read it.
   */
  public record TopicSpec(
      String name, int partitions, boolean logAppendTime, String writer, List<String> readers) {
    public TopicSpec {
      readers = List.copyOf(readers);
    }
  }

  /** All topics for the given pools, in creation order. */
  public static List<TopicSpec> all(List<String> pools) {
    String trigger = Principals.TRIGGER_SERVICE;
    String scheduler = Principals.SCHEDULER_SERVICE;
    String broker = Principals.IDENTITY_BROKER;
    String audit = Principals.AUDIT_SERVICE;
    List<TopicSpec> specs = new ArrayList<>();
    // Tokens on triggers are checked as of the broker's append time, never the producer's clock.
    // The audit does not read triggers: they carry the producers' tokens.
    specs.add(
        new TopicSpec(TRIGGERS, DEFAULT_PARTITIONS, true, Principals.UPSTREAM, List.of(trigger)));
    specs.add(topic(RUN_REQUESTS, DEFAULT_PARTITIONS, trigger, scheduler, audit));
    specs.add(topic(RUNS, DEFAULT_PARTITIONS, scheduler, broker, audit));
    specs.add(topic(DECISIONS, DEFAULT_PARTITIONS, broker, audit));
    specs.add(topic(JOB_EVENTS, DEFAULT_PARTITIONS, broker, scheduler, audit));
    specs.add(topic(changes(trigger), 1, trigger, audit));
    specs.add(topic(changes(scheduler), 1, scheduler, audit));
    // Every service that checks access follows the broker's policy version here.
    specs.add(topic(changes(broker), 1, broker, audit, trigger, scheduler));
    specs.add(topic(AUDIT, AUDIT_PARTITIONS, audit, Principals.ANALYST));
    for (String service : Principals.SERVICES) {
      specs.add(topic(dlq(service), 1, service, audit));
    }
    for (String pool : pools) {
      String executor = Principals.executor(pool);
      specs.add(topic(jobs(pool), DEFAULT_PARTITIONS, broker, executor, audit));
      specs.add(topic(control(pool), 1, scheduler, executor, audit));
      specs.add(topic(attempts(pool), DEFAULT_PARTITIONS, executor, scheduler, broker, audit));
      specs.add(topic(dlq(executor), 1, executor, audit));
    }
    return List.copyOf(specs);
  }

  /** All topics for {@link #DEFAULT_POOLS}. */
  public static List<TopicSpec> all() {
    return all(DEFAULT_POOLS);
  }

  private static TopicSpec topic(String name, int partitions, String writer, String... readers) {
    return new TopicSpec(name, partitions, false, writer, List.of(readers));
  }
}
