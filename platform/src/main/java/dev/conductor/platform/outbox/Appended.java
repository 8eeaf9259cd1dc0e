package dev.conductor.platform.outbox;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The outbox rows one transaction appended, in append order: published once it commits. */
public final class Appended {
  private final List<Long> seqs = new ArrayList<>();
  private final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();

  synchronized void add(long seq, ProducerRecord<String, byte[]> record) {
    seqs.add(seq);
    records.add(record);
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
