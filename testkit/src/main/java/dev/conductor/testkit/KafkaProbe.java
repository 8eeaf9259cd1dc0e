package dev.conductor.testkit;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * The tests' one raw Kafka client, for every module and the end-to-end suite: a producer for inputs
 * that waits for the broker's acknowledgement, and a background consumer that records every record
 * of the watched topics (every partition, from the beginning), decoded where it is a CloudEvent.
 * Tests tell their records apart by key (run ids are unique), so one probe per JVM serves them all:
 * {@link #shared()} watches every topic of the shared test broker.
 */
public final class KafkaProbe implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);

  /** A record as it arrived; {@code event} is null when it is not a CloudEvent (DLQ tests). */
  public record Seen(ConsumerRecord<String, byte[]> record, Envelope<?> event) {
    public String topic() {
      return record.topic();
    }

    public String key() {
      return record.key();
    }

    public String header(String name) {
      return KafkaEvents.header(record.headers(), name);
    }

    /** The W3C trace context the record carries. */
    public String traceparent() {
      return header(KafkaEvents.TRACEPARENT);
    }

    /** The event's type; null for a record that is no CloudEvent. */
    public EventType type() {
      return event == null ? null : event.type();
    }

    public String value() {
      return new String(record.value(), StandardCharsets.UTF_8);
    }

    /** The event's short type, e.g. {@code job.authorized}; null for a record that is none. */
    public String shortType() {
      return event == null ? null : event.type().shortName();
    }

    public <T> T data(Class<T> type) {
      return type.cast(event.data());
    }
  }

  private static volatile KafkaProbe shared;

  private final Map<String, Object> client;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions = new ArrayList<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<TopicPartition, Long> consumed = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  private KafkaProbe(Map<String, Object> client, Collection<String> topics) {
    this.client = Map.copyOf(client);
    producer =
        new KafkaProducer<>(
            with(client, ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
            new StringSerializer(),
            new ByteArraySerializer());
    consumer =
        new KafkaConsumer<>(
            with(
                client,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                50,
                // A topic a test deleted and created again is read from its start.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    for (String topic : topics) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(10))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread = new Thread(this::collect, "kafka-probe");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A probe of {@code topics}, reaching the broker with {@code client} (bootstrap servers and a
   * principal that may read and write them); close it when done.
   */
  public static KafkaProbe watching(Map<String, Object> client, Collection<String> topics) {
    return new KafkaProbe(client, topics);
  }

  private static Map<String, Object> with(Map<String, Object> client, Object... keysAndValues) {
    Map<String, Object> config = new java.util.HashMap<>(client);
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      config.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return config;
  }

  /** The probe of this JVM's shared test broker ({@link KafkaTestResource}), every topic. */
  public static synchronized KafkaProbe shared() {
    if (shared == null) {
      List<String> topics = Topics.all().stream().map(Topics.TopicSpec::name).toList();
      shared = new KafkaProbe(KafkaTestResource.admin(), topics);
    }
    return shared;
  }

  private void collect() {
    while (running) {
      ConsumerRecords<String, byte[]> records;
      try {
        records = consumer.poll(Duration.ofMillis(100));
      } catch (RuntimeException e) {
        // A watched topic deleted by a test, a broker restarting: keep reading, say why.
        System.err.println("kafka-probe: poll failed, polling again: " + e);
        continue;
      }
      for (ConsumerRecord<String, byte[]> r : records) {
        Envelope<?> event = null;
        try {
          event = KafkaEvents.decode(r.headers(), r.key(), r.value());
        } catch (RuntimeException notAnEvent) {
          // what tests send to provoke the DLQ, and the DLQ's copies of it
        }
        seen.add(new Seen(r, event));
        consumed.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
      }
    }
    consumer.close();
  }

  /** Sends and waits for the broker's acknowledgement; answers where the record landed. */
  public RecordMetadata send(ProducerRecord<String, byte[]> record) {
    return await(producer.send(record), record.topic());
  }

  /** Publishes an event in binary mode and waits for the acknowledgement. */
  public void publish(Envelope<?> event, String topic, String traceparent) {
    send(KafkaEvents.toRecord(event, topic, traceparent));
  }

  /** Sends back to back (so that a consumer usually gets them in one poll), then waits for all. */
  public void sendTogether(List<ProducerRecord<String, byte[]>> records) {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    records.forEach(r -> sent.add(producer.send(r)));
    sent.forEach(f -> await(f, "Kafka"));
  }

  private static <T> T await(Future<T> sent, String topic) {
    try {
      return sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot publish to " + topic, e);
    }
  }

  /** Every record seen so far, in arrival order. */
  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  public List<Seen> seen(Predicate<Seen> matches) {
    return seen.stream().filter(matches).toList();
  }

  /** Every record seen so far whose key is {@code key}, on any watched topic. */
  public List<Seen> byKey(String key) {
    return seen(s -> key.equals(s.key()));
  }

  /** The events seen so far whose key is {@code key}, the DLQ's copies left out. */
  public List<Seen> events(String key) {
    return seen(s -> key.equals(s.key()) && s.event() != null && !Topics.isDlq(s.topic()));
  }

  /** The events seen so far on {@code topic} whose key is {@code key}. */
  public List<Seen> events(String topic, String key) {
    return seen(s -> topic.equals(s.topic()) && key.equals(s.key()) && s.event() != null);
  }

  /** The events of {@code type} seen so far on {@code topic} whose key is {@code key}. */
  public List<Seen> events(String topic, String key, EventType type) {
    return seen(s -> topic.equals(s.topic()) && key.equals(s.key()) && s.type() == type);
  }

  /** What reached any service's {@code conductor.dlq.<principal>} with {@code key}. */
  public List<Seen> deadLetters(String key) {
    return seen(s -> Topics.isDlq(s.topic()) && key.equals(s.key()));
  }

  /** Waits up to {@link #WAIT} until {@code count} records match; answers them. */
  public List<Seen> await(Predicate<Seen> matches, int count) {
    return Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .alias(count + " matching records")
        .until(() -> seen(matches), found -> found.size() >= count);
  }

  /** The first record that matches, waiting up to {@link #WAIT} for it. */
  public Seen awaitFirst(Predicate<Seen> matches) {
    return await(matches, 1).get(0);
  }

  /** The first record of {@code topic} that matches, waiting up to {@link #WAIT} for it. */
  public ConsumerRecord<String, byte[]> awaitRecord(
      String topic, Predicate<ConsumerRecord<String, byte[]>> matches) {
    return awaitFirst(s -> topic.equals(s.topic()) && matches.test(s.record())).record();
  }

  /** Every record of {@code topic} that matches, once the probe has read the topic to its end. */
  public List<ConsumerRecord<String, byte[]>> records(
      String topic, Predicate<ConsumerRecord<String, byte[]>> matches) {
    caughtUp(topic);
    return seen(s -> topic.equals(s.topic()) && matches.test(s.record())).stream()
        .map(Seen::record)
        .toList();
  }

  public static Envelope<?> decode(ConsumerRecord<String, byte[]> record) {
    return KafkaEvents.decode(record.headers(), record.key(), record.value());
  }

  public static String header(ConsumerRecord<String, byte[]> record, String name) {
    return KafkaEvents.header(record.headers(), name);
  }

  /** True for a record that is a CloudEvent whose decoded envelope matches. */
  public static Predicate<ConsumerRecord<String, byte[]>> event(Predicate<Envelope<?>> matches) {
    return record -> {
      try {
        return matches.test(decode(record));
      } catch (RuntimeException notAnEvent) {
        return false;
      }
    };
  }

  /**
   * Waits until the probe has read everything {@code topics} hold now (every watched topic when
   * none is named): call it once the records of interest are known to be written, then counts are
   * final. Only the named topics are asked for their ends, so a watched topic a test deleted does
   * not hold it up.
   */
  public void caughtUp(String... topics) {
    List<String> named = List.of(topics);
    List<TopicPartition> asked =
        partitions.stream().filter(p -> named.isEmpty() || named.contains(p.topic())).toList();
    Map<TopicPartition, Long> end;
    try (KafkaConsumer<String, byte[]> offsets =
        new KafkaConsumer<>(client, new StringDeserializer(), new ByteArrayDeserializer())) {
      end = offsets.endOffsets(asked);
    }
    Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .alias("the probe reads its topics to their end")
        .until(
            () ->
                end.entrySet().stream()
                    .allMatch(e -> consumed.getOrDefault(e.getKey(), 0L) >= e.getValue()));
  }

  @Override
  public void close() {
    if (this == shared) {
      return; // lives as long as the JVM's shared broker
    }
    running = false;
    producer.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
