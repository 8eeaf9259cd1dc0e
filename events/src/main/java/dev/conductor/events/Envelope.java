package dev.conductor.events;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One Conductor event with its CloudEvents attributes. {@code key} is the Kafka key (the run id, or
 * the aggregate id for records without a run); {@code causationId} is the id of the event that
 * caused this one, or null for a first cause.
 */
public record Envelope<T>(
    String id,
    EventType type,
    String source,
    String subject,
    Instant time,
    String causationId,
    String key,
    T data) {

  public Envelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    if (!type.dataClass().isInstance(data)) {
      throw new IllegalArgumentException(
          type.type()
              + " carries "
              + type.dataClass().getSimpleName()
              + ", not "
              + data.getClass());
    }
  }

  /** A new event about {@code runId} (subject and key), caused by nothing recorded. */
  public static <T> Envelope<T> of(
      EventType type, String source, String runId, T data, Clock clock) {
    return new Envelope<>(
        UUID.randomUUID().toString(), type, source, runId, clock.instant(), null, runId, data);
  }

  /** A new event about {@code runId}, caused by the event with id {@code causationId}. */
  public static <T> Envelope<T> causedBy(
      String causationId, EventType type, String source, String runId, T data, Clock clock) {
    return new Envelope<>(
        UUID.randomUUID().toString(),
        type,
        source,
        runId,
        clock.instant(),
        causationId,
        runId,
        data);
  }

  /** The {@code source} attribute of a Conductor module. */
  public static String sourceOf(String module) {
    return "/conductor/" + module;
  }
}
