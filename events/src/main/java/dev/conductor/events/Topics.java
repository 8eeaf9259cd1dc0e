package dev.conductor.events;

import java.util.ArrayList;
import java.util.List;

/**
 * Every Kafka topic Conductor uses, with its partition count: the one list that the test kit, the
 * local runner and deployments create before any service starts (brokers run with
 * auto.create.topics.enable=false).
 */
public final class Topics {
  public static final String TRIGGERS = "conductor.triggers";
  public static final String RUNS = "conductor.runs";
  public static final String DECISIONS = "conductor.decisions";
  public static final String JOB_EVENTS = "conductor.job-events";
  public static final String CHANGES = "conductor.changes";
  public static final String AUDIT = "conductor.audit";
  public static final String DLQ = "conductor.dlq";
  public static final String JOBS_PREFIX = "conductor.jobs.";
  public static final String CONTROL_PREFIX = "conductor.control.";

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

  /** A topic to create, with its partition count and whether the broker stamps append time. */
  public record TopicSpec(String name, int partitions, boolean logAppendTime) {}

  /** All topics for the given pools, in creation order. */
  public static List<TopicSpec> all(List<String> pools) {
    List<TopicSpec> specs = new ArrayList<>();
    // Tokens on triggers are checked as of the broker's append time, never the producer's clock.
    specs.add(new TopicSpec(TRIGGERS, DEFAULT_PARTITIONS, true));
    specs.add(new TopicSpec(RUNS, DEFAULT_PARTITIONS, false));
    specs.add(new TopicSpec(DECISIONS, DEFAULT_PARTITIONS, false));
    specs.add(new TopicSpec(JOB_EVENTS, DEFAULT_PARTITIONS, false));
    specs.add(new TopicSpec(CHANGES, 1, false));
    specs.add(new TopicSpec(AUDIT, AUDIT_PARTITIONS, false));
    specs.add(new TopicSpec(DLQ, 1, false));
    for (String pool : pools) {
      specs.add(new TopicSpec(jobs(pool), DEFAULT_PARTITIONS, false));
      specs.add(new TopicSpec(control(pool), 1, false));
    }
    return List.copyOf(specs);
  }

  /** All topics for {@link #DEFAULT_POOLS}. */
  public static List<TopicSpec> all() {
    return all(DEFAULT_POOLS);
  }
}
