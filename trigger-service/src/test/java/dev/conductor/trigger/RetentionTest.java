package dev.conductor.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.platform.db.retention.RetentionSweeper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Bounded growth: one sweep deletes the idempotency keys (P1D), inbox rows (P7D) and parked outbox
 * rows (P30D) older than their retention, and nothing younger.
 */
@QuarkusTest
class RetentionTest {
  @Inject DataSource db;
  @Inject RetentionSweeper sweeper;

  @Test
  void aSweepDeletesWhatOutlivedItsRetentionAndKeepsTheRest() throws Exception {
    String ws = "ret-" + UUID.randomUUID();
    update(
        "INSERT INTO idempotency_keys (workspace, requester_issuer, requester_subject, idem_key,"
            + " pipeline, run_id, created_at) VALUES"
            + " (?, 'iss', 'alice', 'old', 'p', gen_random_uuid(), now() - interval '25 hours'),"
            + " (?, 'iss', 'alice', 'new', 'p', gen_random_uuid(), now() - interval '23 hours')",
        ws,
        ws);
    update(
        "INSERT INTO inbox (source, event_id, received_at) VALUES"
            + " (?, 'old', now() - interval '8 days'), (?, 'new', now() - interval '6 days')",
        ws,
        ws);
    update(
        "INSERT INTO outbox (event_id, topic, record_key, headers, value, parked_at,"
            + " parked_reason) VALUES"
            + " ('old', 'gone', ?, '{}'::jsonb, ''::bytea, now() - interval '31 days', 'test'),"
            + " ('new', 'gone', ?, '{}'::jsonb, ''::bytea, now() - interval '29 days', 'test')",
        ws,
        ws);

    sweeper.sweep().await().atMost(Duration.ofSeconds(30));

    assertThat(texts("SELECT idem_key FROM idempotency_keys WHERE workspace = ?", ws))
        .isEqualTo("new");
    assertThat(texts("SELECT event_id FROM inbox WHERE source = ?", ws)).isEqualTo("new");
    assertThat(texts("SELECT event_id FROM outbox WHERE record_key = ?", ws)).isEqualTo("new");
  }

  private void update(String sql, Object... args) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.executeUpdate();
    }
  }

  /** The first column of every row, comma-separated. */
  private String texts(String sql, Object arg) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, arg);
      StringBuilder out = new StringBuilder();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.append(out.isEmpty() ? "" : ",").append(rs.getString(1));
        }
      }
      return out.toString();
    }
  }
}
