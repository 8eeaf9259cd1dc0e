package dev.conductor.audit.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventCodec;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns a consumed Kafka record into what the ledger records. A Conductor CloudEvent is recorded as
 * itself (redacted); a DLQ entry or an undecodable record is recorded as a fact synthesized here,
 * never re-sent to the DLQ, so nothing that crossed a topic escapes the ledger.
 */
public final class RecordReader {
  public static final String SOURCE = Envelope.sourceOf("audit-service");
  public static final String DLQ_RECORDED = "dev.conductor.dlq.recorded";
  public static final String UNREADABLE_RECORDED = "dev.conductor.unreadable.recorded";
  private static final int MAX_REASON = 300;

  private RecordReader() {}

  /** What to record for one record; never throws for bad input. */
  public static Observed read(
      String topic,
      int partition,
      long offset,
      String key,
      Headers headers,
      byte[] value,
      Instant timestamp) {
    Headers h = headers == null ? new RecordHeaders() : headers;
    String traceparent = KafkaEvents.header(h, KafkaEvents.TRACEPARENT);
    if (Topics.isDlq(topic)) {
      // One DLQ topic per writing service: the writer is part of the fact's identity.
      return fact(
          DLQ_RECORDED,
          "dlq-" + topic.substring(Topics.DLQ_PREFIX.length()) + "-" + partition + "-" + offset,
          topic,
          partition,
          offset,
          key,
          h,
          value,
          timestamp,
          traceparent,
          null);
    }
    try {
      Envelope<?> envelope = KafkaEvents.decode(h, key, value);
      return observe(
          topic,
          partition,
          offset,
          key != null ? key : envelope.key(),
          EventCodec.toCloudEvent(envelope),
          traceparent);
    } catch (RuntimeException e) {
      // EventFormatException mostly; any other failure to bind is just as unreadable.
      return fact(
          UNREADABLE_RECORDED,
          "unreadable-" + topic + "-" + partition + "-" + offset,
          topic,
          partition,
          offset,
          key,
          h,
          value,
          timestamp,
          traceparent,
          e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    }
  }

  private static Observed observe(
      String topic,
      int partition,
      long offset,
      String key,
      CloudEvent cloudEvent,
      String traceparent) {
    ObjectNode tree = (ObjectNode) EventCodec.toStructuredTree(cloudEvent);
    Redaction.apply(tree);
    JsonNode data = tree.path("data");
    JsonNode step = data.get("step");
    Object causation = cloudEvent.getExtension(EventCodec.CAUSATION_ID);
    return new Observed(
        topic,
        partition,
        offset,
        key,
        cloudEvent.getType(),
        cloudEvent.getSource().toString(),
        cloudEvent.getId(),
        cloudEvent.getSubject(),
        causation == null ? null : causation.toString(),
        cloudEvent.getTime() == null ? Instant.EPOCH : cloudEvent.getTime().toInstant(),
        traceparent,
        step != null && step.isTextual() ? step.asText() : null,
        ChainHash.canonical(tree));
  }

  /**
   * A synthesized CloudEvent about a record that is not (or no longer) a processable event: its
   * headers, key and topic, and the value only as its length, since the value may hold secrets.
   */
  private static Observed fact(
      String type,
      String id,
      String topic,
      int partition,
      long offset,
      String key,
      Headers headers,
      byte[] value,
      Instant timestamp,
      String traceparent,
      String reason) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode data = f.objectNode();
    data.put("topic", topic);
    data.put("partition", partition);
    data.put("offset", offset);
    data.put("key", key);
    ObjectNode names = data.putObject("headers");
    for (Header header : headers) {
      names.put(
          header.key(),
          header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
    }
    data.put("valueLength", value == null ? 0 : value.length);
    if (reason != null) {
      data.put("reason", reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason);
    }
    CloudEventBuilder builder =
        CloudEventBuilder.v1()
            .withId(id)
            .withType(type)
            .withSource(URI.create(SOURCE))
            .withTime((timestamp == null ? Instant.EPOCH : timestamp).atOffset(ZoneOffset.UTC))
            .withDataContentType(EventCodec.DATA_CONTENT_TYPE)
            .withData(EventCodec.toJsonBytes(data));
    if (key != null) {
      builder.withSubject(key);
    }
    // The entry's cause is the event that failed (recorded earlier from its own topic).
    String failedId = KafkaEvents.header(headers, "ce_id");
    if (failedId != null && !failedId.isBlank()) {
      builder.withExtension(EventCodec.CAUSATION_ID, failedId);
    }
    return observe(topic, partition, offset, key != null ? key : id, builder.build(), traceparent);
  }
}
