package dev.conductor.audit.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conductor.audit.RunEvents;
import dev.conductor.audit.verify.LedgerVerifier;
import dev.conductor.audit.verify.VerifyReport;
import dev.conductor.platform.db.Transactions;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The ledger retention drops the oldest records of a chain only together with a checkpoint, and the
 * chain still verifies from it. The records are made old by moving their {@code recorded_at} back
 * (it is not part of the hash), so nothing else in the ledger reaches the cutoff.
 */
@QuarkusTest
class LedgerRetentionTest {
  private static final Duration DB = Duration.ofSeconds(10);

  @Inject DataSource db;
  @Inject Transactions transactions;
  @Inject LedgerRetention retention;
  @Inject LedgerVerifier verifier;

  @Test
  void droppedRecordsLeaveACheckpointTheChainVerifiesFrom() throws Exception {
    assertThat(retention.retention()).as("the default keeps everything").isEmpty();
    RunEvents run = new RunEvents();
    run.publishReversed(1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> number("SELECT count(*) FROM ledger WHERE record_key = ?", run.runId) == 8);
    long chain = number("SELECT min(chain) FROM ledger WHERE record_key = ?", run.runId);
    long last =
        number("SELECT max(seq) FROM ledger WHERE record_key = ? AND chain = ?", run.runId, chain);
    String lastHash = text("SELECT hash FROM ledger WHERE chain = ? AND seq = ?", chain, last);
    makeOld(chain, last);

    int dropped =
        transactions
            .run(tx -> retention.sweep(tx, Instant.now().minus(Duration.ofDays(365 * 50)), 100_000))
            .await()
            .atMost(DB);

    assertThat(dropped).isGreaterThanOrEqualTo(8);
    assertThat(number("SELECT count(*) FROM ledger WHERE record_key = ?", run.runId)).isZero();
    assertThat(number("SELECT count(*) FROM ledger WHERE chain = ? AND seq <= ?", chain, last))
        .isZero();
    assertThat(number("SELECT seq FROM ledger_checkpoints WHERE chain = ?", chain)).isEqualTo(last);
    assertThat(text("SELECT hash FROM ledger_checkpoints WHERE chain = ?", chain))
        .isEqualTo(lastHash);
    VerifyReport report = verifier.verify();
    assertThat(report.ok()).as(String.valueOf(report.firstBad())).isTrue();
    assertThat(report.checkpoints())
        .anySatisfy(
            c -> {
              assertThat(c.chain()).isEqualTo((int) chain);
              assertThat(c.seq()).isEqualTo(last);
            });
  }

  @Test
  void theLedgerStaysAppendOnlyForEveryoneElse() throws Exception {
    RunEvents run = new RunEvents();
    run.publishReversed(1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> number("SELECT count(*) FROM ledger WHERE record_key = ?", run.runId) == 8);
    assertThatThrownBy(() -> update("DELETE FROM ledger WHERE record_key = ?", run.runId))
        .hasMessageContaining("append-only");
    // Saying it is the retention does not help for records no checkpoint covers.
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement say =
              c.prepareStatement("SELECT set_config('conductor.ledger_retention', 'on', true)");
          PreparedStatement delete =
              c.prepareStatement("DELETE FROM ledger WHERE record_key = ?")) {
        say.executeQuery().close();
        delete.setString(1, run.runId);
        assertThatThrownBy(delete::executeUpdate).hasMessageContaining("append-only");
      } finally {
        c.rollback();
      }
    }
    assertThat(number("SELECT count(*) FROM ledger WHERE record_key = ?", run.runId)).isEqualTo(8);

    // Nor can a checkpoint be forged to cover them: not without the sweep's word, and not with a
    // hash the ledger does not hold even with it.
    long chain = number("SELECT min(chain) FROM ledger WHERE record_key = ?", run.runId);
    long seq = number("SELECT max(seq) FROM ledger WHERE record_key = ?", run.runId);
    String forge =
        "INSERT INTO ledger_checkpoints (chain, seq, hash, dropped_at) VALUES (?, ?, ?, now())"
            + " ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash";
    String realHash = text("SELECT hash FROM ledger WHERE chain = ? AND seq = ?", chain, seq);
    assertThatThrownBy(() -> update(forge, chain, seq, realHash))
        .hasMessageContaining("retention sweep only");
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement say =
              c.prepareStatement("SELECT set_config('conductor.ledger_retention', 'on', true)");
          PreparedStatement insert = prepared(c, forge, chain, seq, "f".repeat(64))) {
        say.executeQuery().close();
        assertThatThrownBy(insert::executeUpdate).hasMessageContaining("with its hash");
      } finally {
        c.rollback();
      }
    }
  }

  /**
   * Moves {@code recorded_at} of the chain's records up to {@code seq} a century back. The
   * append-only trigger refuses any UPDATE, so the test lifts it for its own transaction only.
   */
  private void makeOld(long chain, long seq) throws Exception {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement off =
              c.prepareStatement("ALTER TABLE ledger DISABLE TRIGGER ledger_append_only");
          PreparedStatement age =
              c.prepareStatement(
                  "UPDATE ledger SET recorded_at = now() - interval '100 years'"
                      + " WHERE chain = ? AND seq <= ?");
          PreparedStatement on =
              c.prepareStatement("ALTER TABLE ledger ENABLE TRIGGER ledger_append_only")) {
        off.execute();
        age.setLong(1, chain);
        age.setLong(2, seq);
        age.executeUpdate();
        on.execute();
        c.commit();
      } catch (Exception e) {
        c.rollback();
        throw e;
      }
    }
  }

  private long number(String sql, Object... args) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement s = prepared(c, sql, args);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String text(String sql, Object... args) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement s = prepared(c, sql, args);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void update(String sql, Object... args) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement s = prepared(c, sql, args)) {
      s.executeUpdate();
    }
  }

  private static PreparedStatement prepared(Connection c, String sql, Object... args)
      throws Exception {
    PreparedStatement s = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      s.setObject(i + 1, args[i]);
    }
    return s;
  }
}
