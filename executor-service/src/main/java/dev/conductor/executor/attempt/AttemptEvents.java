package dev.conductor.executor.attempt;

import dev.conductor.events.Envelope;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import dev.conductor.executor.pool.ExecutorConfig;
import dev.conductor.platform.kafka.KafkaProducers;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Publishes attempt events to this pool's {@code conductor.attempts.<pool>}, which only this pool's
 * executors may write. The executor has no outbox, so an event that matters (started, the outcome)
 * is re-sent until Kafka acknowledges it; the envelope id stays the same, so a send that did land
 * twice is de-duplicated by consumers.
 */
@ApplicationScoped
public class AttemptEvents {
  private static final Logger LOG = Logger.getLogger(AttemptEvents.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  private final KafkaProducers producers;
  private final String topic;

  public AttemptEvents(KafkaProducers producers, ExecutorConfig config) {
    this.producers = producers;
    this.topic = Topics.attempts(config.pool());
  }

  /** Blocks until Kafka acknowledged the event; only an interrupt (forced shutdown) gives up. */
  public void emit(Envelope<?> event, String traceparent) throws InterruptedException {
    ProducerRecord<String, byte[]> record = record(event, traceparent);
    long backoff = 200;
    while (true) {
      try {
        producers.send(record).get();
        return;
      } catch (ExecutionException e) {
        LOG.warnf(
            "%s for run %s not acknowledged (%s); re-sending in %d ms",
            event.type().shortName(), event.key(), e.getCause(), backoff);
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * Sends without waiting: heartbeats, where the next one supersedes a lost one (the producer
   * itself still retries within its delivery timeout).
   */
  public void send(Envelope<?> event, String traceparent) {
    producers
        .send(record(event, traceparent))
        .whenComplete(
            (metadata, error) -> {
              if (error != null) {
                LOG.warnf("%s for run %s lost: %s", event.type().shortName(), event.key(), error);
              }
            });
  }

  private ProducerRecord<String, byte[]> record(Envelope<?> event, String traceparent) {
    return KafkaEvents.toRecord(event, topic, traceparent);
  }
}
