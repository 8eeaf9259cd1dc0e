package dev.conductor.scheduler.support;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.testkit.KafkaTestResource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Raw Kafka for tests: publishes inputs as binary CloudEvents and records everything that appears
 * on {@code conductor.runs}, {@code conductor.changes} and {@code conductor.dlq}, read by a
 * background consumer.
 */
public final class Events {
  public static final Duration WAIT = Duration.ofSeconds(20);

  /** A record seen on an output topic; {@code event} is null when it is not a CloudEvent. */
  public record Seen(ConsumerRecord<String, byte[]> record, Envelope<?> event) {
    public String header(String name) {
      return KafkaEvents.header(record.headers(), name);
    }
  }

  private static final List<Seen> SEEN = new CopyOnWriteArrayList<>();
  private static final Map<TopicPartition, Long> CONSUMED = new ConcurrentHashMap<>();
  private static KafkaConsumer<String, byte[]> offsets;
  private static KafkaProducer<String, byte[]> producer;

  private Events() {}

  private static synchronized KafkaProducer<String, byte[]> producer() {
    if (producer == null) {
      String bootstrap = KafkaTestResource.bootstrapServers();
      producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  ProducerConfig.ACKS_CONFIG,
                  "all",
                  ProducerConfig.LINGER_MS_CONFIG,
                  0),
              new StringSerializer(),
              new ByteArraySerializer());
      startCollector(bootstrap);
    }
    return producer;
  }

  private static void startCollector(String bootstrap) {
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "scheduler-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                50),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(List.of(Topics.RUNS, Topics.JOB_EVENTS, Topics.CHANGES, Topics.DLQ));
    Thread thread =
        new Thread(
            () -> {
              while (true) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                  Envelope<?> event = null;
                  try {
                    event = KafkaEvents.decode(r.headers(), r.key(), r.value());
                  } catch (RuntimeException notAnEvent) {
                    // malformed records sent by tests end up on the DLQ like this
                  }
                  SEEN.add(new Seen(r, event));
                  CONSUMED.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
              }
            },
            "scheduler-test-collector");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Waits until the collector has read everything on {@code conductor.runs} that Kafka holds now.
   * Call it once the events of interest are known to be published (see {@link
   * dev.conductor.scheduler.support.Outboxes#awaitPublished}), then counts are final.
   */
  public static void caughtUp() {
    Map<TopicPartition, Long> end = endOffsets();
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(
            () ->
                end.entrySet().stream()
                    .allMatch(
                        e ->
                            e.getValue() == 0
                                || CONSUMED.getOrDefault(e.getKey(), 0L) >= e.getValue()));
  }

  private static synchronized Map<TopicPartition, Long> endOffsets() {
    producer();
    if (offsets == null) {
      offsets =
          new KafkaConsumer<>(
              Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.bootstrapServers()),
              new StringDeserializer(),
              new ByteArrayDeserializer());
    }
    List<TopicPartition> partitions =
        offsets.partitionsFor(Topics.RUNS).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    return offsets.endOffsets(partitions);
  }

  /** Publishes an event (binary mode, new trace) and waits for the broker's acknowledgement. */
  public static void publish(Envelope<?> event, String topic) {
    publish(event, topic, TraceContext.newTrace());
  }

  public static void publish(Envelope<?> event, String topic, String traceparent) {
    send(KafkaEvents.toRecord(event, topic, traceparent));
  }

  /** Publishes events back to back (so that they usually arrive in one poll), then waits. */
  public static void publishTogether(String topic, List<Envelope<?>> events) {
    List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
    for (Envelope<?> event : events) {
      sent.add(producer().send(KafkaEvents.toRecord(event, topic, TraceContext.newTrace())));
    }
    try {
      for (java.util.concurrent.Future<?> f : sent) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot publish to " + topic, e);
    }
  }

  public static void publishRaw(String topic, String key, String value) {
    send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8)));
  }

  private static void send(ProducerRecord<String, byte[]> record) {
    try {
      producer().send(record).get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot publish to " + record.topic(), e);
    }
  }

  /** A new event about {@code runId} from another service, stamped now. */
  public static <T> Envelope<T> event(EventType type, String source, String runId, T data) {
    return Envelope.of(type, "/conductor/" + source, runId, data, Clock.systemUTC());
  }

  /** Events of one type about one run, in the order they were published. */
  public static List<Envelope<?>> of(String runId, EventType type) {
    producer();
    return SEEN.stream()
        .filter(s -> s.event() != null && s.record().topic().equals(type.topic()))
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
    producer();
    return SEEN.stream()
        .filter(s -> s.event() != null && s.record().topic().equals(Topics.RUNS))
        .map(Seen::event)
        .filter(e -> runId.equals(e.subject()))
        .toList();
  }

  /** Events seen on {@code conductor.changes} with this Kafka key, in order. */
  public static List<Envelope<?>> changes(String key) {
    producer();
    return SEEN.stream()
        .filter(s -> s.event() != null && s.record().topic().equals(Topics.CHANGES))
        .filter(s -> key.equals(s.record().key()))
        .map(Seen::event)
        .toList();
  }

  /** What reached the DLQ with this Kafka key. */
  public static List<Seen> dlq(String key) {
    producer();
    return SEEN.stream()
        .filter(s -> s.record().topic().equals(Topics.DLQ) && key.equals(s.record().key()))
        .toList();
  }

  public static Seen awaitDlq(String key) {
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !dlq(key).isEmpty());
    return dlq(key).get(0);
  }

  /** The traceparent header the record of this event carried. */
  public static String traceparentOf(String eventId) {
    return SEEN.stream()
        .filter(s -> s.event() != null && s.event().id().equals(eventId))
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
    String marker = "barrier-" + UUID.randomUUID();
    Envelope<?> event =
        topic.equals(Topics.RUNS)
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
