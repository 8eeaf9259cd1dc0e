package dev.conductor.trigger;

import static dev.conductor.trigger.Fixtures.granted;
import static dev.conductor.trigger.Fixtures.token;
import static dev.conductor.trigger.Fixtures.triggerToken;
import static dev.conductor.trigger.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventCodec;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.TriggerRequested;
import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TriggerConsumerTest {
  private static final String UPSTREAM = "/upstream/orders";
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Inject DataSource dataSource;

  private String ws;
  private String operator;

  @BeforeEach
  void pipeline() {
    ws = unique("ws");
    Fixtures.createPipeline(ws, "nightly");
    operator = granted("pipeline.run", "/workspaces/" + ws + "/pipelines/nightly");
  }

  @Test
  void binaryTriggerWithValidTokenRequestsARun() {
    Envelope<TriggerRequested> trigger = trigger("nightly", unique("key"));
    KafkaProbe.shared().send(binary(trigger, "Bearer " + triggerToken(operator)));

    ConsumerRecord<String, byte[]> record = awaitRunCausedBy(trigger.id());
    Envelope<?> event = KafkaProbe.decode(record);
    RunRequested run = (RunRequested) event.data();
    assertThat(event.causationId()).isEqualTo(trigger.id());
    assertThat(record.key()).isEqualTo(run.runId());
    assertThat(run.trigger()).isEqualTo("kafka");
    assertThat(run.workspace()).isEqualTo(ws);
    assertThat(run.environment()).isEqualTo("dev");
    assertThat(run.parameters()).containsEntry("date", "2026-11-26");
    assertThat(run.idempotencyKey()).isEqualTo(trigger.data().idempotencyKey());
    assertThat(run.requester().subject()).isEqualTo(operator);
    assertThat(run.snapshot().version()).isEqualTo(1);
    // One trace from the trigger on: same trace id, this hop's own span.
    assertThat(KafkaProbe.header(record, "traceparent"))
        .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
        .isNotEqualTo(TRACEPARENT);
    assertThat(record.headers().lastHeader("authorization")).isNull();
    assertThat(new String(record.value(), StandardCharsets.UTF_8)).doesNotContain("Bearer");
  }

  @Test
  void structuredTriggerRequestsARun() {
    Envelope<TriggerRequested> trigger = trigger("nightly", null);
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(
            Topics.TRIGGERS,
            trigger.key(),
            EventCodec.toStructuredJson(EventCodec.toCloudEvent(trigger)));
    record.headers().add("content-type", utf8("application/cloudevents+json"));
    record.headers().add(KafkaEvents.AUTHORIZATION, utf8("Bearer " + triggerToken(operator)));
    KafkaProbe.shared().send(record);

    RunRequested run = (RunRequested) KafkaProbe.decode(awaitRunCausedBy(trigger.id())).data();
    assertThat(run.pipeline()).isEqualTo("nightly");
    assertThat(run.trigger()).isEqualTo("kafka");
  }

  @Test
  void redeliveredTriggerStartsOneRun() throws SQLException {
    Envelope<TriggerRequested> trigger = trigger("nightly", null);
    ProducerRecord<String, byte[]> record = binary(trigger, "Bearer " + triggerToken(operator));
    KafkaProbe.shared().send(record);
    KafkaProbe.shared().send(record);
    // A later trigger on the same partition proves both deliveries were consumed.
    Envelope<TriggerRequested> later = trigger("nightly", null);
    KafkaProbe.shared().send(binary(later, "Bearer " + triggerToken(operator)));
    awaitRunCausedBy(later.id());
    await().atMost(Duration.ofSeconds(30)).until(() -> outboxRows() == 0);

    assertThat(runsCausedBy(trigger.id())).hasSize(1);
    assertThat(dlqFor(trigger.id())).isEmpty();
  }

  @Test
  void missingTokenGoesToTheDlqAndConsumptionContinues() {
    Envelope<TriggerRequested> bad = trigger("nightly", null);
    KafkaProbe.shared().send(binary(bad, null));
    Envelope<TriggerRequested> good = trigger("nightly", null);
    KafkaProbe.shared().send(binary(good, "Bearer " + triggerToken(operator)));

    assertDeadLettered(bad.id(), "no authorization header");
    awaitRunCausedBy(good.id());
  }

  /**
   * A producer reuses one token for many messages (only upstream producers may write the topic and
   * only this service may read it); a message sent again is skipped by the inbox.
   */
  @Test
  void oneTokenServesManyTriggersAndARepeatedOneStartsNothing() throws SQLException {
    String bearer = "Bearer " + triggerToken(operator);
    Envelope<TriggerRequested> first = trigger("nightly", null);
    Envelope<TriggerRequested> second = trigger("nightly", null);
    KafkaProbe.shared().send(binary(first, bearer));
    KafkaProbe.shared().send(binary(second, bearer));
    KafkaProbe.shared().send(binary(first, bearer));
    Envelope<TriggerRequested> later = trigger("nightly", null);
    KafkaProbe.shared().send(binary(later, bearer));

    awaitRunCausedBy(first.id());
    awaitRunCausedBy(second.id());
    awaitRunCausedBy(later.id());
    await().atMost(Duration.ofSeconds(30)).until(() -> outboxRows() == 0);
    assertThat(runsCausedBy(first.id())).hasSize(1);
    assertThat(dlqFor(first.id())).isEmpty();
  }

  /**
   * The inbox key is bound to the token's principal: another principal sending an event with the
   * same (source, id) gets its own run, and cannot make the first one's be skipped.
   */
  @Test
  void anotherPrincipalsEventWithTheSameIdIsItsOwn() {
    String other = granted("pipeline.run", "/workspaces/" + ws + "/pipelines/nightly");
    Envelope<TriggerRequested> mine = trigger("nightly", null);
    KafkaProbe.shared().send(binary(mine, "Bearer " + triggerToken(operator)));
    awaitRunCausedBy(mine.id());
    KafkaProbe.shared().send(binary(mine, "Bearer " + triggerToken(other)));

    await().atMost(Duration.ofSeconds(30)).until(() -> runsCausedBy(mine.id()).size() == 2);
    assertThat(
            runsCausedBy(mine.id()).stream()
                .map(r -> ((RunRequested) KafkaProbe.decode(r).data()).requester().subject()))
        .containsExactlyInAnyOrder(operator, other);
  }

  @Test
  void tooOldTokenGoesToTheDlq() {
    Instant issued = Instant.now().minusSeconds(1000); // token-max-age is 15 minutes
    String old =
        IssuerTestResource.issuer()
            .token(
                IssuerTestResource.issuer()
                    .claims(operator, List.of())
                    .audience("conductor-triggers")
                    .issueTime(Date.from(issued))
                    .notBeforeTime(Date.from(issued))
                    .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                    .build());
    Envelope<TriggerRequested> bad = trigger("nightly", null);
    KafkaProbe.shared().send(binary(bad, "Bearer " + old));
    Envelope<TriggerRequested> good = trigger("nightly", null);
    KafkaProbe.shared().send(binary(good, "Bearer " + triggerToken(operator)));

    assertDeadLettered(bad.id(), "too old");
    awaitRunCausedBy(good.id());
  }

  /** A token for the REST API is not a trigger token: it names the API's audience. */
  @Test
  void anApiTokenIsNoTriggerToken() {
    Envelope<TriggerRequested> bad = trigger("nightly", null);
    KafkaProbe.shared().send(binary(bad, "Bearer " + token(operator)));
    Envelope<TriggerRequested> good = trigger("nightly", null);
    KafkaProbe.shared().send(binary(good, "Bearer " + triggerToken(operator)));

    assertDeadLettered(bad.id(), "token refused");
    awaitRunCausedBy(good.id());
  }

  @Test
  void foreignTokenGoesToTheDlq() {
    Envelope<TriggerRequested> bad = trigger("nightly", null);
    KafkaProbe.shared()
        .send(binary(bad, "Bearer " + IssuerTestResource.issuer().foreignToken(operator)));
    assertDeadLettered(bad.id(), "token refused");
  }

  @Test
  void callerWithoutPipelineRunGoesToTheDlq() {
    String viewer = granted("pipeline.read", "/workspaces/" + ws);
    Envelope<TriggerRequested> bad = trigger("nightly", null);
    KafkaProbe.shared().send(binary(bad, "Bearer " + triggerToken(viewer)));
    assertDeadLettered(bad.id(), "denied: ");
  }

  @Test
  void unknownPipelineGoesToTheDlq() {
    String admin = granted("pipeline.run", "/workspaces/" + ws);
    Envelope<TriggerRequested> bad = trigger("missing", null);
    KafkaProbe.shared().send(binary(bad, "Bearer " + triggerToken(admin)));
    Envelope<TriggerRequested> good = trigger("nightly", null);
    KafkaProbe.shared().send(binary(good, "Bearer " + triggerToken(operator)));

    assertDeadLettered(bad.id(), "not-found: ");
    awaitRunCausedBy(good.id());
  }

  @Test
  void invalidParametersGoToTheDlq() {
    Envelope<TriggerRequested> bad =
        Envelope.of(
            EventType.TRIGGER_REQUESTED,
            UPSTREAM,
            unique("trigger"),
            new TriggerRequested(ws, "nightly", "dev", Map.of("day", "monday"), null),
            Clock.systemUTC());
    KafkaProbe.shared().send(binary(bad, "Bearer " + triggerToken(operator)));
    assertDeadLettered(bad.id(), "/parameters/date");
  }

  @Test
  void garbageGoesToTheDlqAndConsumptionContinues() {
    String marker = unique("garbage");
    ProducerRecord<String, byte[]> garbage =
        new ProducerRecord<>(Topics.TRIGGERS, marker, utf8("\u0000not a cloud event"));
    garbage.headers().add("test-id", utf8(marker));
    garbage.headers().add(KafkaEvents.AUTHORIZATION, utf8("Bearer " + triggerToken(operator)));
    KafkaProbe.shared().send(garbage);
    Envelope<TriggerRequested> good = trigger("nightly", null);
    KafkaProbe.shared().send(binary(good, "Bearer " + triggerToken(operator)));

    ConsumerRecord<String, byte[]> dead =
        KafkaProbe.shared()
            .awaitRecord(
                Topics.dlq(Principals.TRIGGER_SERVICE),
                r -> marker.equals(KafkaProbe.header(r, "test-id")));
    assertThat(KafkaProbe.header(dead, "dlq-reason")).isNotBlank();
    assertThat(KafkaProbe.header(dead, "dlq-source-topic")).isEqualTo(Topics.TRIGGERS);
    assertThat(dead.headers().lastHeader("authorization")).isNull();
    awaitRunCausedBy(good.id());
  }

  @Test
  void wrongEventTypeGoesToTheDlq() {
    Envelope<RunRequested> wrong =
        Envelope.of(
            EventType.RUN_REQUESTED,
            UPSTREAM,
            unique("run"),
            new RunRequested("r", ws, "nightly", null, Map.of(), "dev", null, "x", null),
            Clock.systemUTC());
    ProducerRecord<String, byte[]> record =
        KafkaEvents.toRecord(wrong, Topics.TRIGGERS, TRACEPARENT);
    record.headers().add(KafkaEvents.AUTHORIZATION, utf8("Bearer " + triggerToken(operator)));
    KafkaProbe.shared().send(record);
    // Only the trigger service writes run requests, and on their own topic.
    assertDeadLettered(wrong.id(), "does not belong on conductor.triggers");
  }

  private Envelope<TriggerRequested> trigger(String pipeline, String idempotencyKey) {
    // One Kafka key per workspace: the triggers of a test stay in order on one partition.
    return new Envelope<>(
        java.util.UUID.randomUUID().toString(),
        EventType.TRIGGER_REQUESTED,
        UPSTREAM,
        null,
        Instant.now(),
        null,
        ws,
        new TriggerRequested(ws, pipeline, "dev", Map.of("date", "2026-11-26"), idempotencyKey));
  }

  private static ProducerRecord<String, byte[]> binary(
      Envelope<TriggerRequested> trigger, String authorization) {
    ProducerRecord<String, byte[]> record =
        KafkaEvents.toRecord(trigger, Topics.TRIGGERS, TRACEPARENT);
    if (authorization != null) {
      record.headers().add(KafkaEvents.AUTHORIZATION, utf8(authorization));
    }
    return record;
  }

  private static ConsumerRecord<String, byte[]> awaitRunCausedBy(String triggerId) {
    return KafkaProbe.shared()
        .awaitRecord(
            Topics.RUN_REQUESTS,
            KafkaProbe.event(
                e -> e.type() == EventType.RUN_REQUESTED && triggerId.equals(e.causationId())));
  }

  private static List<ConsumerRecord<String, byte[]>> runsCausedBy(String triggerId) {
    return KafkaProbe.shared()
        .records(
            Topics.RUN_REQUESTS,
            KafkaProbe.event(
                e -> e.type() == EventType.RUN_REQUESTED && triggerId.equals(e.causationId())));
  }

  private static List<ConsumerRecord<String, byte[]>> dlqFor(String eventId) {
    return KafkaProbe.shared()
        .records(
            Topics.dlq(Principals.TRIGGER_SERVICE),
            r -> eventId.equals(KafkaProbe.header(r, "ce_id")));
  }

  private static void assertDeadLettered(String eventId, String reason) {
    ConsumerRecord<String, byte[]> dead =
        KafkaProbe.shared()
            .awaitRecord(
                Topics.dlq(Principals.TRIGGER_SERVICE),
                r -> eventId.equals(KafkaProbe.header(r, "ce_id")));
    assertThat(KafkaProbe.header(dead, "dlq-reason")).contains(reason).doesNotContain("eyJ");
    assertThat(KafkaProbe.header(dead, "dlq-source-topic")).isEqualTo(Topics.TRIGGERS);
    assertThat(dead.headers().lastHeader("authorization")).isNull();
    assertThat(dead.headers().lastHeader(KafkaEvents.TRACEPARENT)).isNotNull();
  }

  private int outboxRows() throws SQLException {
    try (Connection c = dataSource.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT count(*) FROM outbox WHERE parked_at IS NULL")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
