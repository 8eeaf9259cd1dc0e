package dev.conductor.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * CloudEvents on Kafka: binary mode out ({@code ce_} headers), binary or structured mode in, plus
 * the W3C {@code traceparent} header that carries one trace per run across every hop.
 */
public final class KafkaEvents {
  public static final String TRACEPARENT = "traceparent";

  /** The binary-mode type header: consumers read it to skip types they ignore before decoding. */
  public static final String CE_TYPE = "ce_type";

  public static final String AUTHORIZATION = "authorization";

  /**
   * The largest event value Conductor writes: a quarter of Kafka's default 1 MB message limit,
   * leaving room for headers and batching, and small enough that one event never stalls a consumer.
   */
  public static final int MAX_VALUE_BYTES = 256 * 1024;

  private KafkaEvents() {}

  /**
   * A binary-mode record for {@code topic}, keyed by the envelope's key.
   *
   * @throws EventTooLargeException when its value exceeds {@link #MAX_VALUE_BYTES}
   */
  public static ProducerRecord<String, byte[]> toRecord(
      Envelope<?> envelope, String topic, String traceparent) {
    ProducerRecord<String, byte[]> record =
        KafkaMessageFactory.<String>createWriter(topic, null, null, envelope.key())
            .writeBinary(EventCodec.toCloudEvent(envelope));
    if (record.value() != null && record.value().length > MAX_VALUE_BYTES) {
      throw new EventTooLargeException(envelope.type(), record.value().length);
    }
    if (traceparent != null) {
      record.headers().add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
    }
    return record;
  }

  /**
   * Reads a CloudEvent from a Kafka record in either mode.
   *
   * @throws EventFormatException when the record is not a CloudEvent
   */
  public static CloudEvent read(Headers headers, byte[] value) {
    try {
      MessageReader reader = KafkaMessageFactory.createReader(headers, value);
      return reader.toEvent();
    } catch (RuntimeException e) {
      throw new EventFormatException("not a CloudEvent: " + e.getMessage());
    }
  }

  /** Reads and binds a record into an envelope of its type. */
  public static Envelope<?> decode(Headers headers, String key, byte[] value) {
    return EventCodec.fromCloudEvent(read(headers, value), key);
  }

  /** The last value of a header as UTF-8, or null. */
  public static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
