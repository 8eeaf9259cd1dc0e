package dev.conductor.audit.ledger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Records every {@code conductor.*} topic but audit and triggers (channel {@code ledger}, a topic
 * pattern), a batch per transaction because the chains are serial. A redelivered event is already
 * in the ledger (unique source and id) and is skipped without using a seq.
 */
@ApplicationScoped
public class LedgerConsumer {
  private static final Logger LOG = Logger.getLogger(LedgerConsumer.class);
  // About two minutes of backoff before the channel is failed (and health goes down): the ledger
  // must never skip a record, so a batch that cannot be stored stops consumption instead.
  private static final int RETRIES = 30;

  private final LedgerAppender appender;

  public LedgerConsumer(LedgerAppender appender) {
    this.appender = appender;
  }

  @Incoming("ledger")
  public Uni<Void> onBatch(KafkaRecordBatch<String, byte[]> batch) {
    List<Observed> observed = new ArrayList<>(batch.getRecords().size());
    for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
      observed.add(read(record));
    }
    return Uni.createFrom()
        .deferred(() -> appender.append(observed))
        .onFailure()
        .invoke(e -> LOG.warnf("ledger append of %d records failed: %s", observed.size(), e))
        .onFailure()
        .retry()
        .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
        .atMost(RETRIES)
        .chain(() -> Uni.createFrom().completionStage(batch::ack));
  }

  private static Observed read(KafkaRecord<String, byte[]> record) {
    long offset =
        record
            .getMetadata(IncomingKafkaRecordMetadata.class)
            .map(IncomingKafkaRecordMetadata::getOffset)
            .orElse(-1L);
    return RecordReader.read(
        record.getTopic(),
        record.getPartition(),
        offset,
        record.getKey(),
        record.getHeaders(),
        record.getPayload(),
        record.getTimestamp());
  }
}
