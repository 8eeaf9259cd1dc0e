package dev.conductor.scheduler.run;

import static dev.conductor.scheduler.Sql.instant;
import static dev.conductor.scheduler.Sql.ts;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.conductor.events.data.Requester;
import dev.conductor.events.data.StepSpec;
import dev.conductor.platform.db.Json;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Runs and steps in the {@code scheduler} schema. Every status change is guarded by the status. */
@ApplicationScoped
public class RunStore {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final String RUN_COLUMNS =
      "id, workspace, pipeline, pipeline_version, environment, status, reason, detail,"
          + " failed_step, run_as, requester, parameters, traceparent, requested_at, started_at,"
          + " finished_at";
  private static final String STEP_COLUMNS =
      "run_id, name, position, depends_on, definition, slots, max_retries, status";

  // One execution however many runs a poll brings: the columns travel as arrays.
  private static final String INSERT_ALL =
      """
      INSERT INTO runs (id, workspace, pipeline, pipeline_version, environment, status, reason,
      detail, run_as, requester, parameters, trigger_name, traceparent, requested_at)
      SELECT id, ws, pl, ver, env, st, rsn, det, ras, req::jsonb, par::jsonb, trg, tp, at
      FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
      $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
      $13::text[], $14::timestamptz[])
      AS u(id, ws, pl, ver, env, st, rsn, det, ras, req, par, trg, tp, at)
      """;

  public Uni<Optional<RunRow>> find(SqlClient client, String runId) {
    return client
        .preparedQuery("SELECT " + RUN_COLUMNS + " FROM runs WHERE id = $1")
        .execute(Tuple.of(runId))
        .map(
            rows ->
                rows.rowCount() == 0 ? Optional.empty() : Optional.of(run(rows.iterator().next())));
  }

  /** The stored runs among {@code runIds}, by id (one statement for a whole drain). */
  public Uni<Map<String, RunRow>> findAll(SqlClient client, Collection<String> runIds) {
    return client
        .preparedQuery("SELECT " + RUN_COLUMNS + " FROM runs WHERE id = ANY($1)")
        .execute(Tuple.of(runIds.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, RunRow> found = new HashMap<>();
              rows.forEach(row -> found.put(row.getString("id"), run(row)));
              return found;
            });
  }

  /** Which of {@code runIds} are stored (one statement for a whole poll of requests). */
  public Uni<Set<String>> known(SqlClient client, Collection<String> runIds) {
    return client
        .preparedQuery("SELECT id FROM runs WHERE id = ANY($1)")
        .execute(Tuple.of(runIds.toArray(String[]::new)))
        .map(
            rows -> {
              Set<String> found = new HashSet<>();
              rows.forEach(row -> found.add(row.getString("id")));
              return found;
            });
  }

  /** The run, locked until the transaction ends: run-level transitions are serialized. */
  public Uni<RunRow> lock(SqlConnection tx, String runId) {
    return tx.preparedQuery("SELECT " + RUN_COLUMNS + " FROM runs WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(runId))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                throw new IllegalStateException("run " + runId + " is not stored");
              }
              return run(rows.iterator().next());
            });
  }

  /** As {@link #lock} for many runs in one statement, locked in id order; by id. */
  public Uni<Map<String, RunRow>> lockAll(SqlConnection tx, Collection<String> runIds) {
    return tx.preparedQuery(
            "SELECT " + RUN_COLUMNS + " FROM runs WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .execute(Tuple.of(runIds.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, RunRow> locked = new HashMap<>();
              rows.forEach(row -> locked.put(row.getString("id"), run(row)));
              if (!locked.keySet().containsAll(runIds)) {
                throw new IllegalStateException("runs " + runIds + " are not all stored");
              }
              return locked;
            });
  }

  /**
   * Stores new runs in one statement, the columns as arrays; {@code triggers.get(i)} names what
   * requested run {@code i} (may be null).
   */
  public Uni<Void> insertAll(SqlConnection tx, List<RunRow> runs, List<String> triggers) {
    int n = runs.size();
    String[] id = new String[n];
    String[] workspace = new String[n];
    String[] pipeline = new String[n];
    Integer[] version = new Integer[n];
    String[] environment = new String[n];
    String[] status = new String[n];
    String[] reason = new String[n];
    String[] detail = new String[n];
    String[] runAs = new String[n];
    String[] requester = new String[n];
    String[] parameters = new String[n];
    String[] trigger = new String[n];
    String[] traceparent = new String[n];
    OffsetDateTime[] requestedAt = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      RunRow run = runs.get(i);
      id[i] = run.id();
      workspace[i] = run.workspace();
      pipeline[i] = run.pipeline();
      version[i] = run.pipelineVersion();
      environment[i] = run.environment();
      status[i] = run.status();
      reason[i] = run.reason();
      detail[i] = run.detail();
      runAs[i] = run.runAs();
      requester[i] = Json.text(run.requester());
      parameters[i] = Json.text(run.parameters());
      trigger[i] = triggers.get(i);
      traceparent[i] = run.traceparent();
      requestedAt[i] = ts(run.requestedAt());
    }
    return tx.preparedQuery(INSERT_ALL)
        .execute(
            Tuple.from(
                new Object[] {
                  id,
                  workspace,
                  pipeline,
                  version,
                  environment,
                  status,
                  reason,
                  detail,
                  runAs,
                  requester,
                  parameters,
                  trigger,
                  traceparent,
                  requestedAt
                }))
        .replaceWithVoid();
  }

  public Uni<Void> insertSteps(SqlConnection tx, List<StepRow> steps) {
    List<Tuple> batch = new ArrayList<>();
    for (StepRow s : steps) {
      batch.add(
          Tuple.from(
              Arrays.asList(
                  s.runId(),
                  s.name(),
                  s.position(),
                  s.dependsOn().toArray(String[]::new),
                  Json.param(s.definition()),
                  s.slots(),
                  s.maxRetries(),
                  s.status())));
    }
    return tx.preparedQuery(
            "INSERT INTO steps (" + STEP_COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .executeBatch(batch)
        .replaceWithVoid();
  }

  public Uni<List<StepRow>> steps(SqlClient client, String runId) {
    return client
        .preparedQuery("SELECT " + STEP_COLUMNS + " FROM steps WHERE run_id = $1 ORDER BY position")
        .execute(Tuple.of(runId))
        .map(
            rows -> {
              List<StepRow> steps = new ArrayList<>();
              rows.forEach(row -> steps.add(step(row)));
              return steps;
            });
  }

  /** The steps of many runs in one statement, each run's in position order; by run id. */
  public Uni<Map<String, List<StepRow>>> stepsOfAll(SqlClient client, Collection<String> runIds) {
    return client
        .preparedQuery(
            "SELECT "
                + STEP_COLUMNS
                + " FROM steps WHERE run_id = ANY($1) ORDER BY run_id, position")
        .execute(Tuple.of(runIds.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, List<StepRow>> steps = new HashMap<>();
              rows.forEach(
                  row ->
                      steps
                          .computeIfAbsent(row.getString("run_id"), id -> new ArrayList<>())
                          .add(step(row)));
              return steps;
            });
  }

  /**
   * The steps named by the pairs ({@code runIds[i]}, {@code names[i]}), keyed by {@link #stepKey};
   * one statement for a whole drain.
   */
  public Uni<Map<String, StepRow>> stepsNamed(
      SqlClient client, List<String> runIds, List<String> names) {
    return client
        .preparedQuery(
            "SELECT "
                + STEP_COLUMNS
                + " FROM steps WHERE run_id = ANY($1) AND (run_id, name) IN"
                + " (SELECT * FROM unnest($1::text[], $2::text[]))")
        .execute(Tuple.of(runIds.toArray(String[]::new), names.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, StepRow> found = new HashMap<>();
              rows.forEach(
                  row ->
                      found.put(
                          stepKey(row.getString("run_id"), row.getString("name")), step(row)));
              return found;
            });
  }

  public static String stepKey(String runId, String name) {
    return runId + "\n" + name;
  }

  public Uni<StepRow> step(SqlClient client, String runId, String name) {
    return client
        .preparedQuery("SELECT " + STEP_COLUMNS + " FROM steps WHERE run_id = $1 AND name = $2")
        .execute(Tuple.of(runId, name))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                throw new IllegalStateException("step " + runId + "/" + name + " is not stored");
              }
              return step(rows.iterator().next());
            });
  }

  /** Moves a step to {@code status} if it is still open; true when it moved. */
  public Uni<Boolean> setStepStatus(SqlConnection tx, String runId, String name, String status) {
    return tx.preparedQuery(
            """
            UPDATE steps SET status = $3 WHERE run_id = $1 AND name = $2
            AND status IN ('pending', 'queued', 'running')
            """)
        .execute(Tuple.of(runId, name, status))
        .map(rows -> rows.rowCount() == 1);
  }

  /** As {@link #setStepStatus} for many steps (of {@code runIds[i]}, named {@code names[i]}). */
  public Uni<Void> setStepStatusAll(
      SqlConnection tx, List<String> runIds, List<String> names, String status) {
    return tx.preparedQuery(
            """
            UPDATE steps s SET status = $3 FROM unnest($1::text[], $2::text[]) AS t(run_id, name)
            WHERE s.run_id = t.run_id AND s.name = t.name
            AND s.status IN ('pending', 'queued', 'running')
            """)
        .execute(Tuple.of(runIds.toArray(String[]::new), names.toArray(String[]::new), status))
        .replaceWithVoid();
  }

  /** Steps that never started: they will not run after the run ended. */
  public Uni<Void> cancelPendingSteps(SqlConnection tx, String runId) {
    return tx.preparedQuery(
            "UPDATE steps SET status = 'cancelled' WHERE run_id = $1 AND status = 'pending'")
        .execute(Tuple.of(runId))
        .replaceWithVoid();
  }

  /** A queued run starts running with its first started attempt. */
  public Uni<Void> markRunning(SqlConnection tx, String runId, Instant now) {
    return tx.preparedQuery(
            """
            UPDATE runs SET status = 'running', started_at = COALESCE(started_at, $2)
            WHERE id = $1 AND status = 'queued'
            """)
        .execute(Tuple.of(runId, ts(now)))
        .replaceWithVoid();
  }

  /** As {@link #markRunning} for many runs in one statement. */
  public Uni<Void> markRunningAll(SqlConnection tx, Collection<String> runIds, Instant now) {
    return tx.preparedQuery(
            """
            UPDATE runs SET status = 'running', started_at = COALESCE(started_at, $2)
            WHERE id = ANY($1) AND status = 'queued'
            """)
        .execute(Tuple.of(runIds.toArray(String[]::new), ts(now)))
        .replaceWithVoid();
  }

  /** Ends an active run; false when it had already ended (the transition happens once). */
  public Uni<Boolean> finish(
      SqlConnection tx,
      String runId,
      String status,
      String reason,
      String step,
      String detail,
      Instant now) {
    return tx.preparedQuery(
            """
            UPDATE runs SET status = $2, reason = $3, failed_step = $4, detail = $5,
            finished_at = $6 WHERE id = $1 AND status IN ('queued', 'running')
            """)
        .execute(Tuple.from(Arrays.asList(runId, status, reason, step, detail, ts(now))))
        .map(rows -> rows.rowCount() == 1);
  }

  private static RunRow run(Row row) {
    return new RunRow(
        row.getString("id"),
        row.getString("workspace"),
        row.getString("pipeline"),
        row.getInteger("pipeline_version"),
        row.getString("environment"),
        row.getString("status"),
        row.getString("reason"),
        row.getString("detail"),
        row.getString("failed_step"),
        row.getString("run_as"),
        Json.read(row.getValue("requester"), Requester.class),
        Json.read(row.getValue("parameters"), MAP),
        row.getString("traceparent"),
        instant(row, "requested_at"),
        instant(row, "started_at"),
        instant(row, "finished_at"));
  }

  private static StepRow step(Row row) {
    return new StepRow(
        row.getString("run_id"),
        row.getString("name"),
        row.getInteger("position"),
        List.of(row.getArrayOfStrings("depends_on")),
        Json.read(row.getValue("definition"), StepSpec.class),
        row.getInteger("slots"),
        row.getInteger("max_retries"),
        row.getString("status"));
  }
}
