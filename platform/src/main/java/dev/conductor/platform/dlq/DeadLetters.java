package dev.conductor.platform.dlq;

import dev.conductor.events.Topics;
import dev.conductor.platform.kafka.KafkaProducers;
import dev.conductor.platform.kafka.KafkaSettings;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

/**
 * Sends a message that cannot be processed to this service's {@code conductor.dlq.<principal>} (one
 * writer per topic, so a dead letter says which service gave up on it): same key and value, every
 * header except credentials, plus {@code dlq-reason}, {@code dlq-source-topic}, {@code
 * dlq-partition} and {@code dlq-offset}, so it can be re-driven. Unlike SmallRye's dead-letter
 * strategy it never copies the {@code authorization} header.
 */
@ApplicationScoped
public class DeadLetters {
  public static final String REASON = "dlq-reason";
  public static final String SOURCE_TOPIC = "dlq-source-topic";
  public static final String PARTITION = "dlq-partition";
  public static final String OFFSET = "dlq-offset";
  private static final Logger LOG = Logger.getLogger(DeadLetters.class);
  private static final int MAX_REASON = 1_000;

  private final KafkaProducers producers;
  private final String topic;
  private final List<String> secretHeaders;

  @Inject
  public DeadLetters(KafkaProducers producers, KafkaSettings kafka, DlqSettings settings) {
    this(producers, Topics.dlq(kafka.principal()), settings.secretHeaders());
  }

  DeadLetters(KafkaProducers producers, String topic, List<String> secretHeaders) {
    this.producers = producers;
    this.topic = topic;
    this.secretHeaders = secretHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
  }

  /** Completes once the DLQ record is acknowledged by Kafka. */
  public Uni<Void> send(
      String source,
      int partition,
      long offset,
      String key,
      Headers headers,
      byte[] value,
      String reason) {
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
    if (headers != null) {
      for (Header h : headers) {
        if (!isSecret(h.key())) {
          record.headers().add(h.key(), h.value());
        }
      }
    }
    String bounded = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
    record.headers().add(REASON, utf8(bounded));
    record.headers().add(SOURCE_TOPIC, utf8(source));
    record.headers().add(PARTITION, utf8(Integer.toString(partition)));
    record.headers().add(OFFSET, utf8(Long.toString(offset)));
    LOG.warnf("to %s: %s[%d]@%d: %s", topic, source, partition, offset, bounded);
    return Uni.createFrom().completionStage(() -> producers.send(record)).replaceWithVoid();
  }

  boolean isSecret(String header) {
    String name = header.toLowerCase(Locale.ROOT);
    return secretHeaders.contains(name) || name.contains("secret") || name.contains("token");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
