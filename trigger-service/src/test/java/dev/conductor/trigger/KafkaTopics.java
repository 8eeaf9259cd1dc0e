package dev.conductor.trigger;

import dev.conductor.events.Envelope;
import dev.conductor.events.KafkaEvents;
import dev.conductor.testkit.KafkaTestResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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

/** Raw Kafka access for tests: publish inputs, read what the service emitted. */
public final class KafkaTopics {
  private static KafkaProducer<String, byte[]> producer;

  private KafkaTopics() {}

  public static synchronized void send(ProducerRecord<String, byte[]> record) {
    if (producer == null) {
      producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  KafkaTestResource.bootstrapServers(),
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new StringSerializer(),
              new ByteArraySerializer());
    }
    try {
      producer.send(record).get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot publish to " + record.topic(), e);
    }
  }

  /** The first record of {@code topic} matching, waiting up to 30 s for it. */
  public static ConsumerRecord<String, byte[]> await(
      String topic, Predicate<ConsumerRecord<String, byte[]>> matches) {
    try (KafkaConsumer<String, byte[]> consumer = consumer(topic)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (matches.test(record)) {
            return record;
          }
        }
      }
    }
    throw new AssertionError("no matching record on " + topic + " within 30 s");
  }

  /** Every record of {@code topic} matching, read up to the current end of the topic. */
  public static List<ConsumerRecord<String, byte[]>> all(
      String topic, Predicate<ConsumerRecord<String, byte[]>> matches) {
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = consumer(topic)) {
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("cannot read " + topic + " to its end");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (matches.test(record)) {
            found.add(record);
          }
        }
      }
    }
    return found;
  }

  public static Envelope<?> decode(ConsumerRecord<String, byte[]> record) {
    return KafkaEvents.decode(record.headers(), record.key(), record.value());
  }

  /** True when the record is a CloudEvent whose decoded envelope matches. */
  public static Predicate<ConsumerRecord<String, byte[]>> event(Predicate<Envelope<?>> matches) {
    return record -> {
      try {
        return matches.test(decode(record));
      } catch (RuntimeException e) {
        return false;
      }
    };
  }

  public static String header(ConsumerRecord<String, byte[]> record, String name) {
    return KafkaEvents.header(record.headers(), name);
  }

  private static boolean reached(
      KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private static KafkaConsumer<String, byte[]> consumer(String topic) {
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestResource.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }
}
