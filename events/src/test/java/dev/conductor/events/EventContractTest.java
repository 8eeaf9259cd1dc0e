package dev.conductor.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every event type: its sample is valid against its schema and survives both Kafka modes. */
class EventContractTest {

  @Test
  void everyTypeHasASample() {
    assertThat(Samples.types()).containsExactlyInAnyOrder(EventType.values());
    for (EventType type : EventType.values()) {
      assertThat(Samples.data(type)).isInstanceOf(type.dataClass());
    }
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void sampleValidatesAgainstItsSchema(EventType type) {
    Envelope<?> envelope = Samples.envelope(type);

    assertThat(Schemas.violations(envelope)).as(type.type()).isEmpty();
    assertThat(Schemas.violations(type, Samples.tree(type))).as(type.type()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void roundTripsInBinaryMode(EventType type) {
    Envelope<?> envelope = Samples.envelope(type);
    String topic = type.topic(Samples.pool());

    ProducerRecord<String, byte[]> record =
        KafkaEvents.toRecord(envelope, topic, Samples.TRACEPARENT);

    assertThat(record.topic()).isEqualTo(topic);
    assertThat(record.key()).isEqualTo(envelope.key());
    Headers headers = record.headers();
    assertThat(KafkaEvents.header(headers, "ce_id")).isEqualTo(envelope.id());
    assertThat(KafkaEvents.header(headers, "ce_type")).isEqualTo(type.type());
    assertThat(KafkaEvents.header(headers, "ce_source")).isEqualTo(envelope.source());
    assertThat(KafkaEvents.header(headers, "ce_specversion")).isEqualTo("1.0");
    assertThat(KafkaEvents.header(headers, "ce_time")).isNotBlank();
    assertThat(KafkaEvents.header(headers, "content-type")).isEqualTo(EventCodec.DATA_CONTENT_TYPE);
    assertThat(KafkaEvents.header(headers, "ce_subject")).isEqualTo(envelope.subject());
    assertThat(KafkaEvents.header(headers, "ce_" + EventCodec.CAUSATION_ID))
        .isEqualTo(envelope.causationId());
    assertThat(KafkaEvents.header(headers, KafkaEvents.TRACEPARENT)).isEqualTo(Samples.TRACEPARENT);
    // the value is the bare data, valid against the schema as it travels
    assertThat(Schemas.violations(type, readTree(record.value()))).isEmpty();

    Envelope<?> decoded = KafkaEvents.decode(headers, record.key(), record.value());

    assertSameEnvelope(decoded, envelope);
    assertThat(KafkaEvents.header(headers, KafkaEvents.TRACEPARENT)).isEqualTo(Samples.TRACEPARENT);
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void roundTripsInStructuredMode(EventType type) {
    Envelope<?> envelope = Samples.envelope(type);
    byte[] value = EventCodec.toStructuredJson(EventCodec.toCloudEvent(envelope));
    Headers headers = new RecordHeaders();
    headers.add("content-type", JsonFormat.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
    headers.add(KafkaEvents.TRACEPARENT, Samples.TRACEPARENT.getBytes(StandardCharsets.UTF_8));

    Envelope<?> decoded = KafkaEvents.decode(headers, envelope.key(), value);

    assertThat(Arrays.stream(headers.toArray()).map(Header::key))
        .noneMatch(k -> k.startsWith("ce_"));
    assertSameEnvelope(decoded, envelope);
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void structuredJsonEmbedsDataAsJson(EventType type) {
    Envelope<?> envelope = Samples.envelope(type);

    JsonNode tree = EventCodec.toStructuredTree(EventCodec.toCloudEvent(envelope));

    assertThat(tree.path("specversion").asText()).isEqualTo("1.0");
    assertThat(tree.path("type").asText()).isEqualTo(type.type());
    assertThat(tree.path("data").isObject()).as("data embedded as a JSON object").isTrue();
    assertThat(Schemas.violations(type, tree.path("data"))).isEmpty();
  }

  @Test
  void structuredModeWithoutKeyFallsBackToSubject() {
    Envelope<?> envelope = Samples.envelope(EventType.TRIGGER_REQUESTED);
    byte[] value = EventCodec.toStructuredJson(EventCodec.toCloudEvent(envelope));
    Headers headers = new RecordHeaders();
    headers.add("content-type", JsonFormat.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));

    Envelope<?> decoded = KafkaEvents.decode(headers, null, value);

    assertThat(decoded.key()).isEqualTo(envelope.subject());
    assertThat(decoded.data()).isEqualTo(envelope.data());
  }

  static void assertSameEnvelope(Envelope<?> actual, Envelope<?> expected) {
    assertThat(actual.id()).isEqualTo(expected.id());
    assertThat(actual.type()).isEqualTo(expected.type());
    assertThat(actual.source()).isEqualTo(expected.source());
    assertThat(actual.subject()).isEqualTo(expected.subject());
    assertThat(actual.time()).isEqualTo(expected.time());
    assertThat(actual.causationId()).isEqualTo(expected.causationId());
    assertThat(actual.key()).isEqualTo(expected.key());
    assertThat(actual.data()).isEqualTo(expected.data());
    assertThat(actual).isEqualTo(expected);
  }

  private static JsonNode readTree(byte[] json) {
    try {
      return EventCodec.JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
