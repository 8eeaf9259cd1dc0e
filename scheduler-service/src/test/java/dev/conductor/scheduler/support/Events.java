package dev.conductor.scheduler.support;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaProbe.Seen;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The scheduler's events as tests look at them, read and written through the test kit's shared
 * {@link KafkaProbe}: publishing inputs as binary CloudEvents, and the run, change and DLQ records
 * the scheduler wrote, by run.
 */
public final class Events {
  public static final Duration WAIT = Duration.ofSeconds(20);

  private Events() {}

  private static KafkaProbe probe() {
    return KafkaProbe.shared();
  }

  /**
   * Waits until the probe has read everything Kafka holds now. Call it once the events of interest
   * are known to be published (see {@link
   * dev.conductor.scheduler.support.Outboxes#awaitPublished}), then counts are final.
   */
  public static void caughtUp() {
    probe().caughtUp(Topics.RUNS);
  }

  /** Publishes an event (binary mode, new trace) and waits for the broker's acknowledgement. */
  public static void publish(Envelope<?> event, String topic) {
    publish(event, topic, TraceContext.newTrace());
  }

  public static void publish(Envelope<?> event, String topic, String traceparent) {
    probe().publish(event, topic, traceparent);
  }

  /** Publishes events back to back (so that they usually arrive in one poll), then waits. */
  public static void publishTogether(String topic, List<Envelope<?>> events) {
    probe()
        .sendTogether(
            events.stream()
                .map(e -> KafkaEvents.toRecord(e, topic, TraceContext.newTrace()))
                .toList());
  }

  public static void publishRaw(String topic, String key, String value) {
    probe().send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8)));
  }

  /** A new event about {@code runId} from another service, stamped now. */
  public static <T> Envelope<T> event(EventType type, String source, String runId, T data) {
    return Envelope.of(type, "/conductor/" + source, runId, data, Clock.systemUTC());
  }

  /** Events of one type about one run, in the order they were published. */
  public static List<Envelope<?>> of(String runId, EventType type) {
    return probe().seen(s -> s.event() != null && s.topic().equals(type.topic())).stream()
        .map(Seen::event)
        .filter(e -> runId.equals(e.subject()) && e.type() == type)
        .toList();
  }

  public static <T> List<T> data(String runId, EventType type, Class<T> dataClass) {
    return of(runId, type).stream().map(e -> dataClass.cast(e.data())).toList();
  }

  /** Waits until {@code count} events of the type about the run have appeared; returns them. */
  public static <T> List<T> awaitData(String runId, EventType type, Class<T> dataClass, int count) {
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> of(runId, type).size() >= count);
    return data(runId, type, dataClass);
  }

  /** Every event about the run on conductor.runs, in order. */
  public static List<Envelope<?>> all(String runId) {
    return probe().seen(s -> s.event() != null && s.topic().equals(Topics.RUNS)).stream()
        .map(Seen::event)
        .filter(e -> runId.equals(e.subject()))
        .toList();
  }

  /** Events seen on the scheduler's {@code conductor.changes.*} with this Kafka key, in order. */
  public static List<Envelope<?>> changes(String key) {
    return probe().events(Topics.changes(Principals.SCHEDULER_SERVICE), key).stream()
        .map(Seen::event)
        .toList();
  }

  /** What reached the DLQ with this Kafka key. */
  public static List<Seen> dlq(String key) {
    return probe().deadLetters(key);
  }

  public static Seen awaitDlq(String key) {
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !dlq(key).isEmpty());
    return dlq(key).get(0);
  }

  /** The traceparent header the record of this event carried. */
  public static String traceparentOf(String eventId) {
    return probe().seen(s -> s.event() != null && s.event().id().equals(eventId)).stream()
        .map(s -> s.header(KafkaEvents.TRACEPARENT))
        .findFirst()
        .orElse(null);
  }

  /**
   * Waits until the consumer of {@code topic} has processed everything published before on the
   * partition of {@code key}: sends an event it must reject (unknown attempt / run without id) with
   * that key and waits for it on the DLQ, since one partition is consumed in order.
   */
  public static void barrier(String topic, String key) {
    if (!topic.equals(Topics.RUN_REQUESTS)) {
      // The job-events consumer reads two topics, each in its own order: pass a barrier on both.
      barrierOn(Runs.ATTEMPTS, key);
      barrierOn(Topics.JOB_EVENTS, key);
      return;
    }
    barrierOn(topic, key);
  }

  private static void barrierOn(String topic, String key) {
    String marker = "barrier-" + UUID.randomUUID();
    Envelope<?> event =
        topic.equals(Topics.RUN_REQUESTS)
            ? new Envelope<>(
                marker,
                EventType.RUN_REQUESTED,
                "/conductor/test",
                key,
                java.time.Instant.now(),
                null,
                key,
                new dev.conductor.events.data.RunRequested(
                    null, null, null, null, null, null, null, null, null))
            : new Envelope<>(
                marker,
                EventType.ATTEMPT_HEARTBEAT,
                "/conductor/test",
                key,
                java.time.Instant.now(),
                null,
                key,
                new dev.conductor.events.data.AttemptHeartbeat(
                    key, "none", UUID.randomUUID().toString(), "none", java.time.Instant.now()));
    publish(event, topic);
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(() -> dlq(key).stream().anyMatch(s -> marker.equals(s.header("ce_id"))));
  }
}
