package dev.conductor.executor;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import dev.conductor.testkit.KafkaTestResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
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
 * The tests' raw Kafka side: publishes inputs and records everything that appears on {@code
 * conductor.job-events} and {@code conductor.dlq} from the moment it started.
 */
public final class KafkaProbe {
  /** A job event as it arrived, with its traceparent header. */
  public record Event(Envelope<?> envelope, String traceparent) {
    public EventType type() {
      return envelope.type();
    }

    @SuppressWarnings("unchecked")
    public <T> T data(Class<T> type) {
      return (T) envelope.data();
    }
  }

  private static KafkaProbe instance;

  private final KafkaProducer<String, byte[]> producer;
  private final List<Event> jobEvents = new CopyOnWriteArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> dlq = new CopyOnWriteArrayList<>();

  private KafkaProbe(String bootstrap) {
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
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(Topics.JOB_EVENTS, Topics.DLQ)) {
      consumer
          .partitionsFor(topic)
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    Thread poller =
        new Thread(
            () -> {
              while (true) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                  if (r.topic().equals(Topics.DLQ)) {
                    dlq.add(r);
                  } else {
                    jobEvents.add(
                        new Event(
                            KafkaEvents.decode(r.headers(), r.key(), r.value()),
                            KafkaEvents.header(r.headers(), KafkaEvents.TRACEPARENT)));
                  }
                }
              }
            },
            "kafka-probe");
    poller.setDaemon(true);
    poller.start();
  }

  public static synchronized KafkaProbe get() {
    if (instance == null) {
      instance = new KafkaProbe(KafkaTestResource.bootstrapServers());
    }
    return instance;
  }

  /** Publishes an event to {@code topic} and waits for the broker's acknowledgement. */
  public void publish(Envelope<?> event, String topic, String traceparent) {
    send(KafkaEvents.toRecord(event, topic, traceparent));
  }

  public void send(ProducerRecord<String, byte[]> record) {
    try {
      producer.send(record).get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot publish to " + record.topic(), e);
    }
  }

  /** The job events of one run, in arrival order. */
  public List<Event> events(String runId) {
    return jobEvents.stream().filter(e -> runId.equals(e.envelope().key())).toList();
  }

  public List<Event> events(String runId, EventType type) {
    return events(runId).stream().filter(e -> e.type() == type).toList();
  }

  public List<ConsumerRecord<String, byte[]>> deadLetters(String key) {
    return dlq.stream().filter(r -> key.equals(r.key())).toList();
  }
}
