package dev.conductor.scheduler.run;

/** Why a run request cannot be scheduled: a short reason code and a detail naming the field. */
public record Rejection(String reason, String detail) {
  public static final String UNKNOWN_POOL = "unknown-pool";
  public static final String NO_STEPS = "no-steps";
  public static final String INVALID_STEP = "invalid-step";
  public static final String DUPLICATE_STEP = "duplicate-step";
  public static final String UNKNOWN_DEPENDENCY = "unknown-dependency";
  public static final String CYCLE = "cycle";
  public static final String UNKNOWN_RESOURCE_CLASS = "unknown-resource-class";
  public static final String ENVIRONMENT_NOT_ALLOWED = "environment-not-allowed";
  public static final String INVALID_REQUEST = "invalid-request";
}
