package dev.conductor.executor.credential;

import java.time.Instant;
import java.util.Map;

/**
 * One short-lived credential handed to a job: the resource it opens, its kind, when it expires, and
 * every field of the bundle entry (the secret included) for the job to use. {@link #toString()}
 * never shows the fields, so a credential cannot leak into a log line by accident.
 */
public record Credential(
    String resource, String kind, Instant expiresAt, Map<String, Object> fields) {
  public Credential {
    fields = Map.copyOf(fields);
  }

  @Override
  public String toString() {
    return "Credential[resource=" + resource + ", kind=" + kind + ", expiresAt=" + expiresAt + "]";
  }
}
