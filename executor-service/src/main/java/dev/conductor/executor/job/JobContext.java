package dev.conductor.executor.job;

import dev.conductor.executor.credential.Credential;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What a job gets: its spec and parameters, decrypted credentials, and its deadline. */
public record JobContext(
    String runId,
    String step,
    String attemptId,
    Map<String, Object> spec,
    Map<String, Object> parameters,
    List<Credential> credentials,
    Instant deadline,
    Clock clock) {

  public JobContext {
    spec = spec == null ? Map.of() : spec;
    parameters = parameters == null ? Map.of() : parameters;
    credentials = List.copyOf(credentials);
  }

  /** Time left before the deadline (zero when it has passed; very long when there is none). */
  public Duration remaining() {
    if (deadline == null) {
      return Duration.ofDays(365);
    }
    Duration left = Duration.between(clock.instant(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * Waits for {@code duration}, but never past the deadline.
   *
   * @throws DeadlineExceeded when the wait would end after the deadline (after waiting until it)
   */
  public void sleep(Duration duration) throws InterruptedException, DeadlineExceeded {
    Duration left = remaining();
    if (duration.compareTo(left) > 0) {
      Thread.sleep(left.toMillis());
      throw new DeadlineExceeded();
    }
    Thread.sleep(duration.toMillis());
  }

  /** A spec field as a long, or {@code fallback} when absent. */
  public long specLong(String field, long fallback) throws JobFailure {
    Object value = spec.get(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new JobFailure("spec." + field + " is not a number: " + value);
    }
  }

  /** A spec field as text, or {@code fallback} when absent or blank. */
  public String specText(String field, String fallback) {
    Object value = spec.get(field);
    return value == null || value.toString().isBlank() ? fallback : value.toString();
  }
}
