package dev.conductor.audit.ledger;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ledger's SQL: appends a batch of observed events to their chains inside the caller's
 * transaction. The heads of the touched chains are locked first, in chain order (so two appenders
 * never deadlock), and only then is the ledger asked which events it already holds, so an event
 * raced in by another instance is seen and skipped instead of being given a second seq.
 */
@ApplicationScoped
public class Ledger {
  private static final String LOCK_HEADS =
      "SELECT chain, seq, hash FROM chain_heads WHERE chain = ANY($1) ORDER BY chain FOR UPDATE";
  private static final String ALREADY_RECORDED =
      "SELECT l.source, l.id FROM ledger l"
          + " JOIN unnest($1::text[], $2::text[]) AS c(source, id)"
          + " ON l.source = c.source AND l.id = c.id";
  private static final String INSERT =
      "INSERT INTO ledger (chain, seq, prev_hash, hash, topic, kafka_partition, kafka_offset,"
          + " record_key, type, source, id, subject, causation_id, time, traceparent, step, event,"
          + " recorded_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
          + " $18)";
  private static final String UPDATE_HEAD =
      "UPDATE chain_heads SET seq = $2, hash = $3 WHERE chain = $1";

  private final Clock clock;

  public Ledger(Clock clock) {
    this.clock = clock;
  }

  /**
   * Appends each event not yet recorded (unique on source and id) to chain {@code chainOf(key)};
   * returns the new rows in append order (empty for a fully redelivered batch).
   */
  public Uni<List<Recorded>> append(SqlConnection tx, int chains, List<Observed> batch) {
    Map<String, Observed> unique = new LinkedHashMap<>();
    for (Observed o : batch) {
      unique.putIfAbsent(identity(o.source(), o.id()), o);
    }
    if (unique.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    Set<Integer> touched = new TreeSet<>();
    unique.values().forEach(o -> touched.add(ChainHash.chainOf(o.key(), chains)));
    return lockHeads(tx, touched)
        .chain(
            heads ->
                alreadyRecorded(tx, unique.values())
                    .chain(seen -> write(tx, chains, heads, unique.values(), seen)));
  }

  private Uni<Map<Integer, Head>> lockHeads(SqlConnection tx, Set<Integer> chains) {
    return tx.preparedQuery(LOCK_HEADS)
        .execute(Tuple.tuple().addArrayOfInteger(chains.toArray(Integer[]::new)))
        .map(
            rows -> {
              Map<Integer, Head> heads = new HashMap<>();
              for (Row row : rows) {
                heads.put(
                    row.getInteger("chain"), new Head(row.getLong("seq"), row.getString("hash")));
              }
              if (!heads.keySet().containsAll(chains)) {
                throw new IllegalStateException(
                    "chain heads missing for " + chains + "; found " + heads.keySet());
              }
              return heads;
            });
  }

  private Uni<Set<String>> alreadyRecorded(SqlConnection tx, Iterable<Observed> events) {
    List<String> sources = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    events.forEach(
        o -> {
          sources.add(o.source());
          ids.add(o.id());
        });
    return tx.preparedQuery(ALREADY_RECORDED)
        .execute(
            Tuple.tuple()
                .addArrayOfString(sources.toArray(String[]::new))
                .addArrayOfString(ids.toArray(String[]::new)))
        .map(
            rows -> {
              Set<String> seen = new HashSet<>();
              rows.forEach(row -> seen.add(identity(row.getString(0), row.getString(1))));
              return seen;
            });
  }

  private Uni<List<Recorded>> write(
      SqlConnection tx,
      int chains,
      Map<Integer, Head> heads,
      Iterable<Observed> events,
      Set<String> seen) {
    Instant now = clock.instant();
    List<Recorded> recorded = new ArrayList<>();
    for (Observed o : events) {
      if (seen.contains(identity(o.source(), o.id()))) {
        continue;
      }
      int chain = ChainHash.chainOf(o.key(), chains);
      Head head = heads.get(chain);
      long seq = head.seq() + 1;
      String hash = ChainHash.hash(chain, seq, head.hash(), o.event());
      recorded.add(new Recorded(o, chain, seq, head.hash(), hash, now));
      heads.put(chain, new Head(seq, hash));
    }
    if (recorded.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    List<Tuple> rows = recorded.stream().map(Ledger::row).toList();
    List<Tuple> headRows = new ArrayList<>();
    for (Map.Entry<Integer, Head> e : heads.entrySet()) {
      headRows.add(Tuple.of(e.getKey(), e.getValue().seq(), e.getValue().hash()));
    }
    return tx.preparedQuery(INSERT)
        .executeBatch(rows)
        .chain(() -> tx.preparedQuery(UPDATE_HEAD).executeBatch(headRows))
        .replaceWith(List.copyOf(recorded));
  }

  private static Tuple row(Recorded r) {
    Observed o = r.observed();
    return Tuple.tuple()
        .addInteger(r.chain())
        .addLong(r.seq())
        .addString(r.prevHash())
        .addString(r.hash())
        .addString(o.topic())
        .addInteger(o.partition())
        .addLong(o.offset())
        .addString(o.key())
        .addString(o.type())
        .addString(o.source())
        .addString(o.id())
        .addString(o.subject())
        .addString(o.causationId())
        .addOffsetDateTime(o.time().atOffset(ZoneOffset.UTC))
        .addString(o.traceparent())
        .addString(o.step())
        .addString(o.event())
        .addOffsetDateTime(r.recordedAt().atOffset(ZoneOffset.UTC));
  }

  private static String identity(String source, String id) {
    return source + '\u0000' + id;
  }

  private record Head(long seq, String hash) {}
}
