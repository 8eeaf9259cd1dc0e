package dev.conductor.broker.policy;

/**
 * The name of the policy in force: the seed's {@code policyVersion}, then {@code +r<n>} once
 * anything changed after the first seed load. The revision only grows (every section change and
 * every later seed reload bumps it), so one version string never names two different policies.
 */
public final class PolicyVersion {
  /** Serializes every writer of the policy (seed loads and config sections) across instances. */
  public static final String LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('broker.policy'))";

  private PolicyVersion() {}

  public static String of(String seedVersion, long revision) {
    return revision == 0 ? seedVersion : seedVersion + "+r" + revision;
  }
}
