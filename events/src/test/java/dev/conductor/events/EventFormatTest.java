package dev.conductor.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.events.data.ConfigChanged;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** What a consumer sends to the DLQ, and what it must accept although it is new to it. */
class EventFormatTest {

  @Test
  void anEventOverTheSizeLimitIsRefusedWhereItIsCreated() {
    Envelope<?> small = Samples.envelope(EventType.CONFIG_CHANGED);
    ConfigChanged huge =
        new ConfigChanged("w", "s", "x".repeat(KafkaEvents.MAX_VALUE_BYTES), "v1", "v2");
    Envelope<ConfigChanged> big =
        new Envelope<>(
            small.id(),
            EventType.CONFIG_CHANGED,
            small.source(),
            small.subject(),
            small.time(),
            null,
            small.key(),
            huge);

    assertThat(
            KafkaEvents.toRecord(small, Topics.changes(Principals.TRIGGER_SERVICE), null).value())
        .isNotEmpty();
    assertThatThrownBy(
            () -> KafkaEvents.toRecord(big, Topics.changes(Principals.TRIGGER_SERVICE), null))
        .isInstanceOf(EventTooLargeException.class)
        .hasMessageContaining("exceeds the limit");
  }

  @Test
  void unknownTypeIsAFormatError() {
    ProducerRecord<String, byte[]> record = binary(EventType.RUN_QUEUED);
    record.headers().remove("ce_type");
    record.headers().add("ce_type", utf8("dev.conductor.run.teleported.v1"));

    assertThatThrownBy(() -> KafkaEvents.decode(record.headers(), record.key(), record.value()))
        .isInstanceOf(EventFormatException.class)
        .hasMessageContaining("dev.conductor.run.teleported.v1");
  }

  @Test
  void laterVersionOfAKnownTypeIsUnknown() {
    ProducerRecord<String, byte[]> record = binary(EventType.RUN_QUEUED);
    record.headers().remove("ce_type");
    record.headers().add("ce_type", utf8("dev.conductor.run.queued.v2"));

    assertThatThrownBy(() -> KafkaEvents.decode(record.headers(), record.key(), record.value()))
        .isInstanceOf(EventFormatException.class);
  }

  @Test
  void garbageWithoutHeadersIsAFormatError() {
    byte[] garbage = {0x00, (byte) 0xff, 0x13, 0x37, 'n', 'o', 'p', 'e'};

    assertThatThrownBy(() -> KafkaEvents.decode(new RecordHeaders(), "k", garbage))
        .isInstanceOf(EventFormatException.class);
  }

  @Test
  void plainJsonWithoutHeadersIsAFormatError() {
    byte[] json = EventCodec.toJsonBytes(Samples.data(EventType.TRIGGER_REQUESTED));

    assertThatThrownBy(() -> KafkaEvents.decode(new RecordHeaders(), null, json))
        .isInstanceOf(EventFormatException.class);
  }

  @Test
  void garbageClaimingStructuredModeIsAFormatError() {
    Headers headers = new RecordHeaders();
    headers.add("content-type", utf8(JsonFormat.CONTENT_TYPE));

    assertThatThrownBy(() -> KafkaEvents.decode(headers, null, utf8("{\"specversion\": ")))
        .isInstanceOf(EventFormatException.class);
  }

  @Test
  void structuredModeWithUnknownTypeIsAFormatError() {
    ObjectNode tree =
        (ObjectNode)
            EventCodec.toStructuredTree(
                EventCodec.toCloudEvent(Samples.envelope(EventType.TRIGGER_REQUESTED)));
    tree.put("type", "com.example.something.else");
    Headers headers = new RecordHeaders();
    headers.add("content-type", utf8(JsonFormat.CONTENT_TYPE));

    assertThatThrownBy(() -> KafkaEvents.decode(headers, null, EventCodec.toJsonBytes(tree)))
        .isInstanceOf(EventFormatException.class)
        .hasMessageContaining("com.example.something.else");
  }

  @Test
  void dataOfTheWrongShapeDoesNotBind() {
    ObjectNode data = Samples.tree(EventType.JOB_SCHEDULED);
    data.put("attemptNumber", "first");

    assertThatThrownBy(() -> decode(EventType.JOB_SCHEDULED, EventCodec.toJsonBytes(data)))
        .isInstanceOf(EventFormatException.class)
        .hasMessageContaining(EventType.JOB_SCHEDULED.type());
  }

  @Test
  void dataThatIsNotAnObjectDoesNotBind() {
    assertThatThrownBy(() -> decode(EventType.RUN_QUEUED, utf8("[\"run-1\", \"dev\"]")))
        .isInstanceOf(EventFormatException.class);
  }

  @Test
  void dataThatIsNotJsonDoesNotBind() {
    assertThatThrownBy(() -> decode(EventType.RUN_QUEUED, utf8("runId=run-1;pool=dev")))
        .isInstanceOf(EventFormatException.class);
  }

  @Test
  void badTimeInDataDoesNotBind() {
    ObjectNode data = Samples.tree(EventType.RUN_QUEUED);
    data.put("queuedAt", "yesterday");

    assertThatThrownBy(() -> decode(EventType.RUN_QUEUED, EventCodec.toJsonBytes(data)))
        .isInstanceOf(EventFormatException.class);
  }

  @Test
  void eventWithoutDataIsAFormatError() {
    CloudEvent event =
        CloudEventBuilder.v1()
            .withId("evt-1")
            .withType(EventType.RUN_QUEUED.type())
            .withSource(URI.create(Envelope.sourceOf("scheduler-service")))
            .build();
    ProducerRecord<String, byte[]> record =
        KafkaMessageFactory.<String>createWriter(Topics.RUNS, null, null, "run-1")
            .writeBinary(event);

    assertThatThrownBy(() -> KafkaEvents.decode(record.headers(), record.key(), record.value()))
        .isInstanceOf(EventFormatException.class);
  }

  @Test
  void unknownFieldsInDataAreIgnored() {
    for (EventType type : EventType.values()) {
      ObjectNode data = Samples.tree(type);
      data.put("addedInALaterVersion", "x");
      data.putObject("nestedAddition").putArray("values").add(1).add(2);
      if (data.has("requester")) {
        ((ObjectNode) data.get("requester")).put("tenant", "tenant-42");
      }
      if (data.has("snapshot")) {
        ((ObjectNode) data.path("snapshot").path("steps").get(0)).put("cacheKey", "abc");
      }

      Envelope<?> decoded = decode(type, EventCodec.toJsonBytes(data));

      assertThat(decoded.data()).as(type.type()).isEqualTo(Samples.data(type));
      assertThat(Schemas.violations(type, data)).as(type.type()).isEmpty();
    }
  }

  @Test
  void unknownExtensionsAndHeadersAreIgnored() {
    Envelope<?> envelope = Samples.envelope(EventType.ATTEMPT_STARTED);
    ProducerRecord<String, byte[]> record =
        KafkaMessageFactory.<String>createWriter(Topics.JOB_EVENTS, null, null, envelope.key())
            .writeBinary(
                CloudEventBuilder.v1(EventCodec.toCloudEvent(envelope))
                    .withExtension("tenant", "tenant-42")
                    .withDataSchema(URI.create("https://conductor.dev/schemas/x.json"))
                    .build());
    record.headers().add("x-unrelated", utf8("1"));

    Envelope<?> decoded = KafkaEvents.decode(record.headers(), record.key(), record.value());

    EventContractTest.assertSameEnvelope(decoded, envelope);
  }

  @Test
  void missingKeyFallsBackToSubjectThenId() {
    Envelope<?> withSubject = Samples.envelope(EventType.RUN_QUEUED);
    ProducerRecord<String, byte[]> record = binary(EventType.RUN_QUEUED);
    assertThat(KafkaEvents.decode(record.headers(), null, record.value()).key())
        .isEqualTo(withSubject.subject());

    Envelope<?> noSubject = Samples.envelope(EventType.CONFIG_CHANGED);
    ProducerRecord<String, byte[]> config =
        KafkaEvents.toRecord(noSubject, Topics.changes(Principals.TRIGGER_SERVICE), null);
    assertThat(KafkaEvents.decode(config.headers(), null, config.value()).key())
        .isEqualTo(noSubject.id());
    assertThat(KafkaEvents.header(config.headers(), KafkaEvents.TRACEPARENT)).isNull();
  }

  private static ProducerRecord<String, byte[]> binary(EventType type) {
    return KafkaEvents.toRecord(
        Samples.envelope(type), type.topic(Samples.pool()), Samples.TRACEPARENT);
  }

  /** A binary-mode record of {@code type} carrying exactly {@code data}. */
  private static Envelope<?> decode(EventType type, byte[] data) {
    CloudEvent event =
        CloudEventBuilder.v1()
            .withId("evt-raw-1")
            .withType(type.type())
            .withSource(URI.create(Envelope.sourceOf("test")))
            .withSubject(Samples.RUN_ID)
            .withTime(Samples.T0.atOffset(ZoneOffset.UTC))
            .withDataContentType(EventCodec.DATA_CONTENT_TYPE)
            .withData(data)
            .build();
    ProducerRecord<String, byte[]> record =
        KafkaMessageFactory.<String>createWriter(type.topic(Samples.pool()), null, null, "k")
            .writeBinary(event);
    return KafkaEvents.decode(record.headers(), record.key(), record.value());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
