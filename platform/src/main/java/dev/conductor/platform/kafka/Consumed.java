package dev.conductor.platform.kafka;

import dev.conductor.events.Envelope;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;

/**
 * A consumed event with where it came from. {@code traceparent} is this hop's own span in the run's
 * trace: pass it to every event this one causes. {@code timestamp} is the record's Kafka timestamp
 * (broker append time on {@code conductor.triggers}); {@code raw} the record's value as received,
 * for the DLQ.
 */
public record Consumed(
    Envelope<?> event,
    String topic,
    int partition,
    long offset,
    Instant timestamp,
    String traceparent,
    Headers headers,
    byte[] raw) {

  public <T> T data(Class<T> type) {
    return type.cast(event.data());
  }
}
