package dev.conductor.broker.support;

import dev.conductor.events.Envelope;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import dev.conductor.testkit.KafkaTestResource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A raw producer for inputs and a background consumer that records everything on the broker's
 * output topics (from the beginning; tests tell their records apart by run id).
 */
public final class KafkaProbe implements AutoCloseable {
  public static final List<String> OUTPUTS =
      List.of(
          Topics.DECISIONS,
          Topics.JOB_EVENTS,
          Topics.jobs("dev"),
          Topics.jobs("test"),
          Topics.jobs("prod"),
          Topics.DLQ,
          Topics.CHANGES);

  private final KafkaProducer<String, byte[]> producer;
  private final List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  public KafkaProbe() {
    String bootstrap = KafkaTestResource.bootstrapServers();
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new ByteArraySerializer());
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "broker-probe-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                50),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(OUTPUTS);
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (running) {
                  consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                }
              }
            },
            "broker-test-probe");
    thread.setDaemon(true);
    thread.start();
  }

  public void send(ProducerRecord<String, byte[]> record) {
    try {
      producer.send(record).get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot produce test input", e);
    }
  }

  public void send(Envelope<?> event, String topic, String traceparent) {
    send(KafkaEvents.toRecord(event, topic, traceparent));
  }

  /** Every record seen so far whose key is {@code key}. */
  public List<ConsumerRecord<String, byte[]>> byKey(String key) {
    return records.stream().filter(r -> key.equals(r.key())).toList();
  }

  /** Decoded events seen so far for {@code runId} (DLQ records excluded). */
  public List<Seen> events(String runId) {
    return byKey(runId).stream()
        .filter(r -> !r.topic().equals(Topics.DLQ))
        .map(r -> new Seen(r, KafkaEvents.decode(r.headers(), r.key(), r.value())))
        .toList();
  }

  public List<ConsumerRecord<String, byte[]>> all() {
    return List.copyOf(records);
  }

  /** A record with its decoded event. */
  public record Seen(ConsumerRecord<String, byte[]> record, Envelope<?> event) {
    public String header(String name) {
      Header h = record.headers().lastHeader(name);
      return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public String shortType() {
      return event.type().shortName();
    }
  }

  @Override
  public void close() {
    running = false;
    producer.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
