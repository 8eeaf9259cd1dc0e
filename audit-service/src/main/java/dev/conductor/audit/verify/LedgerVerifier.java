package dev.conductor.audit.verify;

import dev.conductor.audit.ledger.ChainHash;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Re-walks every chain from seq 1 (or from its retention checkpoint, see {@code LedgerRetention}):
 * recomputes each hash from the stored canonical event, checks seq continuity, prevHash links and
 * that the chain head matches the last record. Streams the rows through a cursor in one read-only
 * REPEATABLE READ snapshot, so heads and rows agree even while appenders are running. Blocking
 * (JDBC): call it on a worker thread.
 */
@ApplicationScoped
public class LedgerVerifier {
  private static final String META = "SELECT chains FROM ledger_meta WHERE id = 1";
  private static final String HEADS = "SELECT chain, seq, hash FROM chain_heads";
  private static final String CHECKPOINTS =
      "SELECT chain, seq, hash, dropped_at FROM ledger_checkpoints ORDER BY chain";
  private static final String ROWS =
      "SELECT chain, seq, prev_hash, hash, id, event FROM ledger ORDER BY chain, seq";

  private final DataSource dataSource;
  private final int fetchSize;

  public LedgerVerifier(DataSource dataSource, VerifySettings settings) {
    this.dataSource = dataSource;
    this.fetchSize = settings.fetchSize();
  }

  public VerifyReport verify() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        return walk(c);
      } finally {
        c.rollback();
        c.setReadOnly(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the ledger: " + e.getMessage(), e);
    }
  }

  private VerifyReport walk(Connection c) throws SQLException {
    int chains = 0;
    try (PreparedStatement s = c.prepareStatement(META);
        ResultSet rs = s.executeQuery()) {
      if (rs.next()) {
        chains = rs.getInt(1);
      }
    }
    Map<Integer, Link> heads = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement(HEADS);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        heads.put(rs.getInt(1), new Link(rs.getLong(2), rs.getString(3), null));
      }
    }
    Map<Integer, Link> starts = new HashMap<>();
    List<VerifyReport.Checkpoint> checkpoints = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(CHECKPOINTS);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        starts.put(rs.getInt(1), new Link(rs.getLong(2), rs.getString(3), null));
        checkpoints.add(
            new VerifyReport.Checkpoint(
                rs.getInt(1), rs.getLong(2), rs.getTimestamp(4).toInstant()));
      }
    }
    Walk walk = new Walk(chains, heads, starts);
    try (PreparedStatement s = c.prepareStatement(ROWS)) {
      s.setFetchSize(fetchSize);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          BadRecord bad =
              walk.next(
                  rs.getInt(1),
                  rs.getLong(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6));
          if (bad != null) {
            return new VerifyReport(false, chains, walk.records, bad, checkpoints);
          }
        }
      }
    }
    BadRecord bad = walk.finish();
    return new VerifyReport(bad == null, chains, walk.records, bad, checkpoints);
  }

  /** Where a chain stands: its last seq, hash and event id. */
  record Link(long seq, String hash, String eventId) {}

  /** The check itself, fed rows in (chain, seq) order. */
  static final class Walk {
    private final int chains;
    private final Map<Integer, Link> heads;
    private final Map<Integer, Link> starts;
    private int chain = -1;
    private Link last;
    long records;

    Walk(int chains, Map<Integer, Link> heads, Map<Integer, Link> starts) {
      this.chains = chains;
      this.heads = heads;
      this.starts = starts;
    }

    /** Where a chain starts: its retention checkpoint, or genesis. */
    private Link start(int c) {
      return starts.getOrDefault(c, new Link(0, ChainHash.GENESIS, null));
    }

    BadRecord next(int rowChain, long seq, String prevHash, String hash, String id, String event) {
      records++;
      if (rowChain != chain) {
        BadRecord bad = closeChainsBefore(rowChain);
        if (bad != null) {
          return bad;
        }
        chain = rowChain;
        last = start(rowChain);
      }
      if (rowChain < 0 || rowChain >= chains) {
        return new BadRecord(rowChain, seq, id, "chain outside 0.." + (chains - 1));
      }
      if (seq != last.seq() + 1) {
        return new BadRecord(rowChain, seq, id, "seq gap: expected seq " + (last.seq() + 1));
      }
      if (!last.hash().equals(prevHash)) {
        return new BadRecord(
            rowChain, seq, id, "prevHash does not match the hash of seq " + last.seq());
      }
      String recomputed;
      try {
        recomputed = ChainHash.hash(rowChain, seq, prevHash, event);
      } catch (IllegalArgumentException e) {
        return new BadRecord(rowChain, seq, id, "stored event is unreadable: " + e.getMessage());
      }
      if (!recomputed.equals(hash)) {
        return new BadRecord(rowChain, seq, id, "hash does not match the recomputed hash");
      }
      Link head = heads.get(rowChain);
      if (head == null || seq > head.seq()) {
        return new BadRecord(rowChain, seq, id, "record beyond the chain head");
      }
      last = new Link(seq, hash, id);
      return null;
    }

    /** Checks the heads of the current chain and of every record-less chain up to the end. */
    BadRecord finish() {
      return closeChainsBefore(Math.max(chains, chain + 1));
    }

    private BadRecord closeChainsBefore(int nextChain) {
      if (chain >= 0) {
        BadRecord bad = checkHead(chain, last);
        if (bad != null) {
          return bad;
        }
      }
      for (int c = Math.max(chain + 1, 0); c < Math.min(nextChain, chains); c++) {
        BadRecord bad = checkHead(c, start(c));
        if (bad != null) {
          return bad;
        }
      }
      chain = nextChain;
      return null;
    }

    private BadRecord checkHead(int c, Link tail) {
      if (c < 0 || c >= chains) {
        return null; // reported on its first record already
      }
      Link head = heads.get(c);
      if (head == null) {
        return new BadRecord(c, tail.seq(), tail.eventId(), "chain head is missing");
      }
      if (head.seq() != tail.seq()) {
        return new BadRecord(
            c,
            tail.seq() + 1,
            null,
            "records missing: the chain head is at seq " + head.seq() + ", the ledger ends before");
      }
      if (!head.hash().equals(tail.hash())) {
        return new BadRecord(
            c, tail.seq(), tail.eventId(), "chain head hash differs from the last record's hash");
      }
      return null;
    }
  }
}
