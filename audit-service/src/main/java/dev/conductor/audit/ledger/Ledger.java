package dev.conductor.audit.ledger;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
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
      """
      SELECT l.source, l.id FROM ledger l
      JOIN unnest($1::text[], $2::text[]) AS c(source, id)
      ON l.source = c.source AND l.id = c.id
      """;
  // A poll's rows in one statement each (one execution on the server, not one per row): the
  // columns travel as arrays. recorded_at is the same for the whole batch.
  private static final String INSERT =
      """
      INSERT INTO ledger (chain, seq, prev_hash, hash, topic, kafka_partition, kafka_offset,
      record_key, type, source, id, subject, causation_id, time, traceparent, step, event,
      recorded_at)
      SELECT *, $18::timestamptz FROM unnest($1::int[], $2::bigint[], $3::text[],
      $4::text[], $5::text[], $6::int[], $7::bigint[], $8::text[], $9::text[], $10::text[],
      $11::text[], $12::text[], $13::text[], $14::timestamptz[], $15::text[], $16::text[],
      $17::text[])
      """;
  private static final String UPDATE_HEADS =
      """
      UPDATE chain_heads h SET seq = n.seq, hash = n.hash
      FROM unnest($1::int[], $2::bigint[], $3::text[]) AS n(chain, seq, hash)
      WHERE h.chain = n.chain
      """;

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
      // o.event() is canonical (RecordReader): no need to canonicalize it again.
      String hash = ChainHash.hashOfCanonical(chain, seq, head.hash(), o.event());
      recorded.add(new Recorded(o, chain, seq, head.hash(), hash, now));
      heads.put(chain, new Head(seq, hash));
    }
    if (recorded.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return tx.preparedQuery(INSERT)
        .execute(rows(recorded, now))
        .chain(() -> tx.preparedQuery(UPDATE_HEADS).execute(heads(heads)))
        .replaceWith(List.copyOf(recorded));
  }

  /** The recorded rows as one array per column, in append order. */
  private static Tuple rows(List<Recorded> recorded, Instant now) {
    int n = recorded.size();
    Integer[] chain = new Integer[n];
    Long[] seq = new Long[n];
    String[] prevHash = new String[n];
    String[] hash = new String[n];
    String[] topic = new String[n];
    Integer[] partition = new Integer[n];
    Long[] offset = new Long[n];
    String[] key = new String[n];
    String[] type = new String[n];
    String[] source = new String[n];
    String[] id = new String[n];
    String[] subject = new String[n];
    String[] causation = new String[n];
    OffsetDateTime[] time = new OffsetDateTime[n];
    String[] traceparent = new String[n];
    String[] step = new String[n];
    String[] event = new String[n];
    for (int i = 0; i < n; i++) {
      Recorded r = recorded.get(i);
      Observed o = r.observed();
      chain[i] = r.chain();
      seq[i] = r.seq();
      prevHash[i] = r.prevHash();
      hash[i] = r.hash();
      topic[i] = o.topic();
      partition[i] = o.partition();
      offset[i] = o.offset();
      key[i] = o.key();
      type[i] = o.type();
      source[i] = o.source();
      id[i] = o.id();
      subject[i] = o.subject();
      causation[i] = o.causationId();
      time[i] = o.time().atOffset(ZoneOffset.UTC);
      traceparent[i] = o.traceparent();
      step[i] = o.step();
      event[i] = o.event();
    }
    return Tuple.tuple()
        .addArrayOfInteger(chain)
        .addArrayOfLong(seq)
        .addArrayOfString(prevHash)
        .addArrayOfString(hash)
        .addArrayOfString(topic)
        .addArrayOfInteger(partition)
        .addArrayOfLong(offset)
        .addArrayOfString(key)
        .addArrayOfString(type)
        .addArrayOfString(source)
        .addArrayOfString(id)
        .addArrayOfString(subject)
        .addArrayOfString(causation)
        .addArrayOfOffsetDateTime(time)
        .addArrayOfString(traceparent)
        .addArrayOfString(step)
        .addArrayOfString(event)
        .addOffsetDateTime(now.atOffset(ZoneOffset.UTC));
  }

  private static Tuple heads(Map<Integer, Head> heads) {
    List<Integer> chains = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    heads.forEach(
        (chain, head) -> {
          chains.add(chain);
          seqs.add(head.seq());
          hashes.add(head.hash());
        });
    return Tuple.tuple()
        .addArrayOfInteger(chains.toArray(Integer[]::new))
        .addArrayOfLong(seqs.toArray(Long[]::new))
        .addArrayOfString(hashes.toArray(String[]::new));
  }

  private static String identity(String source, String id) {
    return source + '\u0000' + id;
  }

  private record Head(long seq, String hash) {}
}
