package dev.conductor.platform.db.outbox;

import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The outbox rows one transaction appended, in append order: written together just before it
 * commits ({@link Outbox#flush}), published once it has.
 */
public final class Appended {
  private final List<Tuple> pendingRows = new ArrayList<>();
  private final List<ProducerRecord<String, byte[]>> pendingRecords = new ArrayList<>();
  private final List<Long> seqs = new ArrayList<>();
  private final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();

  synchronized void pending(Tuple row, ProducerRecord<String, byte[]> record) {
    pendingRows.add(row);
    pendingRecords.add(record);
  }

  synchronized boolean hasPending() {
    return !pendingRows.isEmpty();
  }

  synchronized List<Tuple> pendingRows() {
    return List.copyOf(pendingRows);
  }

  /** The pending rows are stored, with these sequence numbers in append order. */
  synchronized void written(List<Long> written) {
    if (written.size() != pendingRecords.size()) {
      throw new IllegalStateException(
          "the outbox stored " + written.size() + " of " + pendingRecords.size() + " rows");
    }
    seqs.addAll(written);
    records.addAll(pendingRecords);
    pendingRows.clear();
    pendingRecords.clear();
  }

  synchronized List<Long> seqs() {
    return List.copyOf(seqs);
  }

  synchronized List<ProducerRecord<String, byte[]>> records() {
    return List.copyOf(records);
  }

  synchronized boolean isEmpty() {
    return seqs.isEmpty();
  }
}
