package dev.conductor.broker.decision;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The {@code decisions} table. */
@ApplicationScoped
public class Decisions {
  private static final String COLUMNS =
      "id, kind, effect, principal, run_as, action, resources, matched_assignments,"
          + " policy_version, reasons, run_id, attempt_id, attempt_number, asked_by, decided_at";
  private static final String INSERT =
      "INSERT INTO decisions ("
          + COLUMNS
          + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

  private static final String INSERT_JOB =
      "INSERT INTO decisions ("
          + COLUMNS
          + ", dispatch) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
          + " $16) ON CONFLICT (attempt_id, dispatch) WHERE kind = 'job' DO NOTHING";

  private final Pool pool;

  public Decisions(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a job decision for one dispatch of its attempt in the caller's transaction; false when
   * that dispatch was already decided (a redelivered or re-emitted {@code job.scheduled}), in which
   * case nothing was written.
   */
  public Uni<Boolean> insertJob(SqlConnection tx, Decision d, int dispatch) {
    return tx.preparedQuery(INSERT_JOB)
        .execute(tuple(d).addInteger(dispatch))
        .map(result -> result.rowCount() == 1);
  }

  /** A job decision and the dispatch of its attempt it decides. */
  public record JobDecision(Decision decision, int dispatch) {}

  /**
   * As {@link #insertJob} for a poll's decisions in one round trip (the statements pipelined); for
   * each, in order, whether it was stored. Of two for one dispatch, the first is stored.
   */
  public Uni<List<Boolean>> insertJobs(SqlConnection tx, List<JobDecision> decisions) {
    if (decisions.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    List<Tuple> rows =
        decisions.stream().map(d -> tuple(d.decision()).addInteger(d.dispatch())).toList();
    return tx.preparedQuery(INSERT_JOB)
        .executeBatch(rows)
        .map(
            result -> {
              List<Boolean> stored = new ArrayList<>(decisions.size());
              for (RowSet<Row> r = result; r != null; r = r.next()) {
                stored.add(r.rowCount() == 1);
              }
              return stored;
            });
  }

  /**
   * Stores an access-check decision in its own short transaction. It does not wait for the WAL
   * flush (synchronous_commit off): the record is a log of an answer, not a precondition of a
   * credential, and every REST call of every service passes through here.
   */
  public Uni<Void> insertAccess(Decision d) {
    return pool.withTransaction(
        c ->
            c.query("SET LOCAL synchronous_commit TO OFF")
                .execute()
                .chain(() -> c.preparedQuery(INSERT).execute(tuple(d)))
                .replaceWithVoid());
  }

  public Uni<Optional<Decision>> find(String id) {
    return find(pool, id);
  }

  static Uni<Optional<Decision>> find(SqlClient db, String id) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM decisions WHERE id = $1")
        .execute(Tuple.of(id))
        .map(
            rows ->
                rows.size() == 0 ? Optional.empty() : Optional.of(read(rows.iterator().next())));
  }

  private static Tuple tuple(Decision d) {
    return Tuple.from(
        Arrays.asList(
            d.decisionId(),
            d.kind(),
            d.effect(),
            d.principal(),
            d.runAs(),
            d.action(),
            d.resources().toArray(new String[0]),
            d.matchedAssignments().toArray(new String[0]),
            d.policyVersion(),
            d.reasons().toArray(new String[0]),
            d.runId(),
            d.attemptId(),
            d.attemptNumber(),
            d.askedBy(),
            d.decidedAt().atOffset(ZoneOffset.UTC)));
  }

  private static Decision read(Row row) {
    return new Decision(
        row.getString("id"),
        row.getString("kind"),
        row.getString("effect"),
        row.getString("principal"),
        row.getString("run_as"),
        row.getString("action"),
        List.of(row.getArrayOfStrings("resources")),
        List.of(row.getArrayOfStrings("matched_assignments")),
        row.getString("policy_version"),
        List.of(row.getArrayOfStrings("reasons")),
        row.getString("run_id"),
        row.getString("attempt_id"),
        row.getInteger("attempt_number"),
        row.getString("asked_by"),
        row.getOffsetDateTime("decided_at").toInstant());
  }
}
