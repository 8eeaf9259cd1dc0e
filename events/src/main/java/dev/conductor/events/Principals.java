package dev.conductor.events;

import java.util.List;

/**
 * The Kafka principals of the bus: one per service, one per pool's executors, and the outside
 * parties. A service's principal is also the name of its own topics ({@link Topics#changes}, {@link
 * Topics#dlq}) and the prefix of its consumer groups.
 */
public final class Principals {
  public static final String TRIGGER_SERVICE = "trigger-service";
  public static final String SCHEDULER_SERVICE = "scheduler-service";
  public static final String IDENTITY_BROKER = "identity-broker";
  public static final String AUDIT_SERVICE = "audit-service";

  /** The services that are not per pool. */
  public static final List<String> SERVICES =
      List.of(TRIGGER_SERVICE, SCHEDULER_SERVICE, IDENTITY_BROKER, AUDIT_SERVICE);

  /** Stands for every upstream producer: they may write {@link Topics#TRIGGERS} only. */
  public static final String UPSTREAM = "upstream";

  /** Analysts: they may read {@link Topics#AUDIT} only. */
  public static final String ANALYST = "analyst";

  /** Operators: the bus's super user, which provisions principals, topics and ACLs. */
  public static final String ADMIN = "admin";

  private static final String EXECUTOR_PREFIX = "executor-";

  private Principals() {}

  /** Every principal of an installation with these pools except {@link #ADMIN}. */
  public static List<String> all(List<String> pools) {
    List<String> all = new java.util.ArrayList<>(SERVICES);
    pools.forEach(pool -> all.add(executor(pool)));
    all.add(UPSTREAM);
    all.add(ANALYST);
    return List.copyOf(all);
  }

  /** The principal of one pool's executors. */
  public static String executor(String pool) {
    return EXECUTOR_PREFIX + pool;
  }
}
