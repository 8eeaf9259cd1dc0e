package dev.conductor.audit.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.audit.ledger.ChainHash;
import dev.conductor.audit.verify.LedgerVerifier.Link;
import dev.conductor.audit.verify.LedgerVerifier.Walk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verification walk over rows given in (chain, seq) order. */
class WalkTest {
  private record Row(int chain, long seq, String prevHash, String hash, String id, String event) {}

  /** A valid chain of {@code n} records on {@code chain}. */
  private static List<Row> chain(int chain, int n) {
    List<Row> rows = new ArrayList<>();
    String prev = ChainHash.GENESIS;
    for (int seq = 1; seq <= n; seq++) {
      String event = "{\"id\":\"e" + chain + "-" + seq + "\"}";
      String hash = ChainHash.hash(chain, seq, prev, event);
      rows.add(new Row(chain, seq, prev, hash, "e" + chain + "-" + seq, event));
      prev = hash;
    }
    return rows;
  }

  private static Map<Integer, Link> heads(int chains, List<Row> rows) {
    Map<Integer, Link> heads = new HashMap<>();
    for (int c = 0; c < chains; c++) {
      heads.put(c, new Link(0, ChainHash.GENESIS, null));
    }
    rows.forEach(r -> heads.put(r.chain(), new Link(r.seq(), r.hash(), r.id())));
    return heads;
  }

  private static BadRecord walk(int chains, Map<Integer, Link> heads, List<Row> rows) {
    return walk(chains, heads, Map.of(), rows);
  }

  private static BadRecord walk(
      int chains, Map<Integer, Link> heads, Map<Integer, Link> checkpoints, List<Row> rows) {
    Walk walk = new Walk(chains, heads, checkpoints);
    for (Row r : rows) {
      BadRecord bad = walk.next(r.chain(), r.seq(), r.prevHash(), r.hash(), r.id(), r.event());
      if (bad != null) {
        return bad;
      }
    }
    return walk.finish();
  }

  @Test
  void anIntactLedgerPasses() {
    List<Row> rows = new ArrayList<>(chain(0, 3));
    rows.addAll(chain(2, 2));
    assertThat(walk(4, heads(4, rows), rows)).isNull();
    assertThat(walk(4, heads(4, List.of()), List.of())).isNull();
  }

  @Test
  void aChainWhoseOldestRecordsRetentionDroppedVerifiesFromItsCheckpoint() {
    List<Row> rows = new ArrayList<>(chain(1, 5));
    Map<Integer, Link> heads = heads(4, rows);
    Row lastDropped = rows.get(2);
    List<Row> kept = rows.subList(3, 5);
    Map<Integer, Link> checkpoint =
        Map.of(1, new Link(lastDropped.seq(), lastDropped.hash(), null));

    assertThat(walk(4, heads, checkpoint, kept)).isNull();
    assertThat(walk(4, heads, Map.of(), kept))
        .as("without the checkpoint the dropped records are a gap")
        .isEqualTo(new BadRecord(1, 4, "e1-4", "seq gap: expected seq 1"));
    List<Row> all = rows.subList(0, 0);
    Map<Integer, Link> allDropped =
        Map.of(1, new Link(rows.get(4).seq(), rows.get(4).hash(), null));
    assertThat(walk(4, heads, allDropped, all)).as("every record dropped").isNull();
  }

  @Test
  void aForgedCheckpointDoesNotVerify() {
    List<Row> rows = new ArrayList<>(chain(0, 4));
    Map<Integer, Link> heads = heads(4, rows);
    Map<Integer, Link> forged = Map.of(0, new Link(2, "f".repeat(64), null));
    assertThat(walk(4, heads, forged, rows.subList(2, 4)))
        .isEqualTo(new BadRecord(0, 3, "e0-3", "prevHash does not match the hash of seq 2"));
  }

  @Test
  void aSeqGapIsNamed() {
    List<Row> rows = new ArrayList<>(chain(1, 4));
    Map<Integer, Link> heads = heads(4, rows);
    rows.remove(1);
    assertThat(walk(4, heads, rows))
        .isEqualTo(new BadRecord(1, 3, "e1-3", "seq gap: expected seq 2"));
  }

  @Test
  void aBrokenLinkIsNamed() {
    List<Row> rows = new ArrayList<>(chain(0, 3));
    Row second = rows.get(1);
    String forgedPrev = "f".repeat(64);
    rows.set(
        1,
        new Row(
            0,
            2,
            forgedPrev,
            ChainHash.hash(0, 2, forgedPrev, second.event()),
            second.id(),
            second.event()));
    assertThat(walk(4, heads(4, chain(0, 3)), rows).reason()).startsWith("prevHash");
  }

  @Test
  void aHeadBehindOrAheadOfTheLedgerIsNamed() {
    List<Row> rows = chain(3, 2);
    Map<Integer, Link> ahead = heads(4, rows);
    ahead.put(3, new Link(5, "a".repeat(64), null));
    assertThat(walk(4, ahead, rows)).isEqualTo(new BadRecord(3, 3, null, ahead(5)));

    Map<Integer, Link> behind = heads(4, rows);
    behind.put(3, new Link(1, rows.get(0).hash(), "e3-1"));
    assertThat(walk(4, behind, rows).reason()).isEqualTo("record beyond the chain head");

    Map<Integer, Link> empty = heads(4, rows);
    empty.put(1, new Link(1, "b".repeat(64), null));
    assertThat(walk(4, empty, rows).chain()).isEqualTo(1);
  }

  private static String ahead(long seq) {
    return "records missing: the chain head is at seq " + seq + ", the ledger ends before";
  }
}
