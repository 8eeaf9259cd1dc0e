package dev.conductor.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conductor.events.Envelope;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import dev.conductor.testkit.KafkaTestResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

/** Raw kafka-clients access for tests: publish inputs, read {@code conductor.audit}. */
public final class TestKafka {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private TestKafka() {}

  public static RecordMetadata send(ProducerRecord<String, byte[]> record) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestResource.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      return producer.send(record).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot publish to " + record.topic(), e);
    }
  }

  public static RecordMetadata publish(Envelope<?> event, String topic, String traceparent) {
    return send(KafkaEvents.toRecord(event, topic, traceparent));
  }

  /** An audit.record read back from {@code conductor.audit}: its partition, headers and data. */
  public record AuditMessage(int partition, String key, String raw, JsonNode data) {}

  /**
   * Reads {@code conductor.audit} from the beginning until {@code count} records match, or fails
   * after {@code timeout}.
   */
  public static List<AuditMessage> readAudit(
      Predicate<AuditMessage> match, int count, Duration timeout) {
    List<AuditMessage> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestResource.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          IntStream.range(0, Topics.AUDIT_PARTITIONS)
              .mapToObj(p -> new TopicPartition(Topics.AUDIT, p))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (found.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String raw = new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
          AuditMessage m = new AuditMessage(r.partition(), r.key(), raw, tree(raw));
          if (match.test(m)) {
            found.add(m);
          }
        }
      }
    }
    if (found.size() < count) {
      throw new AssertionError(
          "only " + found.size() + " of " + count + " audit records arrived on conductor.audit");
    }
    return found;
  }

  private static JsonNode tree(String raw) {
    try {
      return PLAIN.readTree(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
