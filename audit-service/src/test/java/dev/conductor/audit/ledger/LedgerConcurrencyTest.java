package dev.conductor.audit.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import dev.conductor.events.data.RunQueued;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Several appenders on one chain (as several audit instances would be): the head lock serializes
 * them, so no seq is used twice and every record links to its predecessor.
 */
@QuarkusTest
class LedgerConcurrencyTest {
  @Inject LedgerAppender appender;
  @Inject LedgerMeta meta;
  @Inject DataSource db;

  @Test
  void racingAppendersOnOneChainNeverShareASeq() throws Exception {
    int chains = meta.chains().await().atMost(Duration.ofSeconds(10));
    String key = "race-" + UUID.randomUUID();
    Observed shared = observed(key);
    List<Uni<List<Recorded>>> racers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      racers.add(appender.append(List.of(observed(key), shared, observed(key))));
    }
    List<List<Recorded>> results =
        Uni.join().all(racers).andFailFast().await().atMost(Duration.ofSeconds(60));

    Set<Long> seqs = new HashSet<>();
    int recorded = 0;
    for (List<Recorded> batch : results) {
      for (Recorded r : batch) {
        assertThat(r.chain()).isEqualTo(ChainHash.chainOf(key, chains));
        assertThat(seqs.add(r.seq())).as("seq %d used twice", r.seq()).isTrue();
        recorded++;
      }
    }
    assertThat(recorded).isEqualTo(8 * 2 + 1);
    assertThat(count("SELECT count(*) FROM ledger WHERE id = ?", shared.id())).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM ledger WHERE record_key = ?", key)).isEqualTo(17);
    assertLinked(ChainHash.chainOf(key, chains));
  }

  @Test
  void anAppenderWaitsForTheHeadHeldByAnotherTransaction() throws Exception {
    int chains = meta.chains().await().atMost(Duration.ofSeconds(10));
    String key = "held-" + UUID.randomUUID();
    int chain = ChainHash.chainOf(key, chains);
    Observed mine = observed(key);
    Observed theirs = observed(key);

    CompletableFuture<List<Recorded>> waiting;
    long heldSeq;
    String heldHash;
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      // Transaction A: another instance holding the head of the chain.
      long headSeq;
      String headHash;
      try (PreparedStatement s =
          c.prepareStatement("SELECT seq, hash FROM chain_heads WHERE chain = ? FOR UPDATE")) {
        s.setInt(1, chain);
        try (ResultSet rs = s.executeQuery()) {
          assertThat(rs.next()).isTrue();
          headSeq = rs.getLong(1);
          headHash = rs.getString(2);
        }
      }
      // Transaction B starts now and must queue behind A.
      waiting = appender.append(List.of(mine)).subscribeAsCompletionStage();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  count(
                          "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                              + " AND query LIKE ?",
                          "%chain_heads%FOR UPDATE%")
                      >= 1);
      assertThat(waiting).isNotDone();
      heldSeq = headSeq + 1;
      heldHash = ChainHash.hash(chain, heldSeq, headHash, theirs.event());
      insert(c, theirs, chain, heldSeq, headHash, heldHash);
      try (PreparedStatement s =
          c.prepareStatement("UPDATE chain_heads SET seq = ?, hash = ? WHERE chain = ?")) {
        s.setLong(1, heldSeq);
        s.setString(2, heldHash);
        s.setInt(3, chain);
        s.executeUpdate();
      }
      c.commit();
    }
    List<Recorded> after = waiting.get(30, TimeUnit.SECONDS);
    assertThat(after).hasSize(1);
    Recorded r = after.get(0);
    assertThat(r.seq()).isGreaterThan(heldSeq);
    assertThat(r.prevHash())
        .isEqualTo(text("SELECT hash FROM ledger WHERE chain = ? AND seq = ?", chain, r.seq() - 1));
    assertLinked(chain);

    // Without the lock the database still refuses a second record at one (chain, seq).
    try (Connection c = db.getConnection()) {
      assertThatThrownBy(() -> insert(c, observed(key), chain, heldSeq, "0".repeat(64), heldHash))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
    }
  }

  /** Every record of the chain links to the one before, from seq 1 to the head. */
  private void assertLinked(int chain) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT seq, prev_hash, hash FROM ledger WHERE chain = ? ORDER BY seq")) {
      s.setInt(1, chain);
      long expected = 1;
      String previous = ChainHash.GENESIS;
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          assertThat(rs.getLong(1)).isEqualTo(expected);
          assertThat(rs.getString(2)).isEqualTo(previous);
          previous = rs.getString(3);
          expected++;
        }
      }
      assertThat(text("SELECT hash FROM chain_heads WHERE chain = ?", chain)).isEqualTo(previous);
    }
  }

  private static Observed observed(String key) {
    Envelope<RunQueued> event =
        new Envelope<>(
            UUID.randomUUID().toString(),
            EventType.RUN_QUEUED,
            Envelope.sourceOf("scheduler-service"),
            key,
            Instant.parse("2030-01-01T00:00:00Z"),
            null,
            key,
            new RunQueued(key, "dev", Instant.parse("2030-01-01T00:00:00Z")));
    ProducerRecord<String, byte[]> record = KafkaEvents.toRecord(event, Topics.RUNS, null);
    return RecordReader.read(
        Topics.RUNS, 0, -1, key, record.headers(), record.value(), event.time());
  }

  private static void insert(
      Connection c, Observed o, int chain, long seq, String prevHash, String hash)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO ledger (chain, seq, prev_hash, hash, topic, kafka_partition,"
                + " kafka_offset, record_key, type, source, id, subject, time, event, recorded_at)"
                + " VALUES (?, ?, ?, ?, ?, 0, -1, ?, ?, ?, ?, ?, ?, ?, now())")) {
      s.setInt(1, chain);
      s.setLong(2, seq);
      s.setString(3, prevHash);
      s.setString(4, hash);
      s.setString(5, o.topic());
      s.setString(6, o.key());
      s.setString(7, o.type());
      s.setString(8, o.source());
      s.setString(9, o.id());
      s.setString(10, o.subject());
      s.setObject(11, OffsetDateTime.ofInstant(o.time(), ZoneOffset.UTC));
      s.setString(12, o.event());
      s.executeUpdate();
    }
  }

  private long count(String sql, Object... args) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private String text(String sql, Object... args) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }
}
