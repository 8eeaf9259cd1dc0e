package dev.conductor.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.ZoneOffset;

/**
 * Converts between {@link Envelope}s, CloudEvents and JSON; the one place that knows the mapping.
 */
public final class EventCodec {
  /** The CloudEvents extension that names an event's cause. */
  public static final String CAUSATION_ID = "causationid";

  public static final String DATA_CONTENT_TYPE = "application/json";

  /**
   * Shared JSON settings: ISO-8601 times, nulls left out, unknown fields ignored (contracts grow
   * additively, so consumers must tolerate fields they do not know).
   */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private static final EventFormat STRUCTURED =
      EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

  private EventCodec() {}

  public static CloudEvent toCloudEvent(Envelope<?> envelope) {
    CloudEventBuilder builder =
        CloudEventBuilder.v1()
            .withId(envelope.id())
            .withType(envelope.type().type())
            .withSource(URI.create(envelope.source()))
            .withTime(envelope.time().atOffset(ZoneOffset.UTC))
            .withDataContentType(DATA_CONTENT_TYPE)
            .withData(toJsonBytes(envelope.data()));
    if (envelope.subject() != null) {
      builder.withSubject(envelope.subject());
    }
    if (envelope.causationId() != null) {
      builder.withExtension(CAUSATION_ID, envelope.causationId());
    }
    return builder.build();
  }

  /**
   * Reads a CloudEvent into an envelope of its known type; {@code key} is the Kafka key it came
   * with (falls back to the subject).
   *
   * @throws EventFormatException when the type is unknown or the data does not bind
   */
  public static Envelope<?> fromCloudEvent(CloudEvent event, String key) {
    EventType type =
        EventType.ofType(event.getType())
            .orElseThrow(() -> new EventFormatException("unknown event type " + event.getType()));
    if (event.getData() == null) {
      throw new EventFormatException(event.getType() + " has no data");
    }
    Object data;
    try {
      data = JSON.readValue(event.getData().toBytes(), type.dataClass());
    } catch (JsonProcessingException e) {
      throw new EventFormatException(
          event.getType() + " data does not bind: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new EventFormatException(event.getType() + " data is unreadable: " + e.getMessage());
    }
    Object causation = event.getExtension(CAUSATION_ID);
    String subject = event.getSubject();
    return new Envelope<>(
        event.getId(),
        type,
        event.getSource().toString(),
        subject,
        // time is optional in CloudEvents; an upstream event without one is stamped on receipt.
        event.getTime() == null ? java.time.Instant.now() : event.getTime().toInstant(),
        causation == null ? null : causation.toString(),
        key != null ? key : (subject != null ? subject : event.getId()),
        data);
  }

  /** The event as structured-mode CloudEvent JSON bytes ({@code application/cloudevents+json}). */
  public static byte[] toStructuredJson(CloudEvent event) {
    return STRUCTURED.serialize(event);
  }

  /** The event as a structured-mode CloudEvent JSON tree, data embedded as JSON. */
  public static JsonNode toStructuredTree(CloudEvent event) {
    try {
      return JSON.readTree(toStructuredJson(event));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static CloudEvent fromStructuredJson(byte[] json) {
    return STRUCTURED.deserialize(json);
  }

  public static byte[] toJsonBytes(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise " + value.getClass(), e);
    }
  }

  public static JsonNode toTree(Object value) {
    return JSON.valueToTree(value);
  }
}
