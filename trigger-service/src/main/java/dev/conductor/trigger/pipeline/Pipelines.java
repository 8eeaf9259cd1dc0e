package dev.conductor.trigger.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.platform.db.Json;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.db.section.SectionVersions;
import dev.conductor.platform.kafka.KafkaSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Versioned pipeline definitions. A PUT that changes a definition stores version n+1 and emits
 * {@code config.changed} (section {@code pipelines}) in the same transaction; a PUT that changes
 * nothing stores nothing.
 *
 * <p>Every request that stores a version, through {@code PUT .../pipelines/{p}} or the section
 * {@code PUT .../config/pipelines}, also bumps the workspace's {@code pipelines} section revision
 * once, so that revision identifies what is in force. Both paths lock in the same order: the
 * section lock ({@link SectionVersions#lock}) first, then pipeline heads. The section lock also
 * covers pipelines that do not exist yet, which row locks on heads cannot.
 */
@ApplicationScoped
public class Pipelines {
  public static final String SECTION = "pipelines";
  static final String SOURCE = Envelope.sourceOf("trigger-service");

  private static final String LATEST =
      """
      SELECT p.version, v.definition::text, p.updated_at, p.updated_by FROM pipelines p
      JOIN pipeline_versions v ON v.workspace = p.workspace AND v.pipeline = p.pipeline
      AND v.version = p.version WHERE p.workspace = $1 AND p.pipeline = $2
      """;
  // The latest version of each pipeline of workspace $1; callers add filters and the order.
  private static final String LATEST_OF_WORKSPACE =
      """
      SELECT p.pipeline, p.version, v.definition::text, p.updated_at, p.updated_by FROM pipelines p
      JOIN pipeline_versions v ON v.workspace = p.workspace AND v.pipeline = p.pipeline
      AND v.version = p.version WHERE p.workspace = $1
      """;
  private static final String ENSURE_HEAD =
      """
      INSERT INTO pipelines (workspace, pipeline, version, updated_at, updated_by)
      VALUES ($1, $2, 0, $3, $4) ON CONFLICT DO NOTHING
      """;
  private static final String LOCK_HEAD =
      """
      SELECT p.version, v.definition::text FROM pipelines p LEFT JOIN pipeline_versions v
      ON v.workspace = p.workspace AND v.pipeline = p.pipeline AND v.version = p.version
      WHERE p.workspace = $1 AND p.pipeline = $2 FOR UPDATE OF p
      """;
  private static final String INSERT_VERSION =
      """
      INSERT INTO pipeline_versions (workspace, pipeline, version, definition, created_at,
      created_by) VALUES ($1, $2, $3, $4, $5, $6)
      """;
  private static final String UPDATE_HEAD =
      """
      UPDATE pipelines SET version = $3, updated_at = $4, updated_by = $5
      WHERE workspace = $1 AND pipeline = $2
      """;

  /** The latest version of a pipeline. */
  public record Stored(
      String workspace,
      String pipeline,
      int version,
      PipelineDefinition definition,
      Instant updatedAt,
      String updatedBy) {}

  /** The outcome of a PUT: {@code previousVersion} is 0 for a new pipeline. */
  public record Saved(int version, int previousVersion, boolean changed) {
    public boolean created() {
      return previousVersion == 0;
    }
  }

  private final Outbox outbox;
  private final String changes;
  private final SectionVersions versions;
  private final Clock clock;

  public Pipelines(Outbox outbox, SectionVersions versions, KafkaSettings kafka, Clock clock) {
    this.changes = EventType.CONFIG_CHANGED.topic(kafka.principal());
    this.outbox = outbox;
    this.versions = versions;
    this.clock = clock;
  }

  /**
   * The per-pipeline PUT in {@code tx}: takes the section lock, saves, and bumps the section
   * revision when a version was stored.
   */
  public Uni<Saved> put(
      SqlConnection tx,
      String workspace,
      String pipeline,
      PipelineDefinition definition,
      String who,
      String traceparent) {
    return lockSection(tx, workspace)
        .chain(() -> save(tx, workspace, pipeline, definition, who, traceparent))
        .call(
            saved ->
                saved.changed() ? bumpSection(tx, workspace, who) : Uni.createFrom().voidItem());
  }

  /**
   * Takes the {@code pipelines} section lock of {@code workspace} until {@code tx} ends, before any
   * head is locked; answers the section revision in force.
   */
  public Uni<String> lockSection(SqlConnection tx, String workspace) {
    return versions.lock(tx, SECTION, workspace);
  }

  /** Bumps the section version; once per request that stored at least one version. */
  public Uni<String> bumpSection(SqlConnection tx, String workspace, String who) {
    return versions.bump(tx, SECTION, workspace, who);
  }

  public Uni<Optional<Stored>> latest(SqlClient client, String workspace, String pipeline) {
    return client
        .preparedQuery(LATEST)
        .execute(Tuple.of(workspace, pipeline))
        .map(
            rows -> {
              RowIterator<Row> it = rows.iterator();
              if (!it.hasNext()) {
                return Optional.empty();
              }
              Row row = it.next();
              return Optional.of(
                  new Stored(
                      workspace,
                      pipeline,
                      row.getInteger(0),
                      PipelineDefinition.fromJson(Json.tree(row.getString(1))),
                      row.getOffsetDateTime(2).toInstant(),
                      row.getString(3)));
            });
  }

  /** The latest version of every pipeline of {@code workspace}, in name order. */
  public Uni<List<Stored>> latestOfWorkspace(SqlClient client, String workspace) {
    return client
        .preparedQuery(LATEST_OF_WORKSPACE + " ORDER BY p.pipeline")
        .execute(Tuple.of(workspace))
        .map(rows -> stored(workspace, rows));
  }

  /**
   * The latest versions of the named pipelines that exist, their heads locked ({@code FOR UPDATE})
   * until {@code tx} ends. Only existing heads can be locked: a pipeline created meanwhile is kept
   * out by the section lock, which the caller must hold ({@link #lockSection}).
   */
  Uni<List<Stored>> lockLatest(SqlConnection tx, String workspace, Collection<String> names) {
    return tx.preparedQuery(
            LATEST_OF_WORKSPACE + " AND p.pipeline = ANY($2) ORDER BY p.pipeline FOR UPDATE OF p")
        .execute(Tuple.of(workspace, names.toArray(new String[0])))
        .map(rows -> stored(workspace, rows));
  }

  private static List<Stored> stored(String workspace, RowSet<Row> rows) {
    List<Stored> found = new ArrayList<>();
    for (Row row : rows) {
      found.add(
          new Stored(
              workspace,
              row.getString(0),
              row.getInteger(1),
              PipelineDefinition.fromJson(Json.tree(row.getString(2))),
              row.getOffsetDateTime(3).toInstant(),
              row.getString(4)));
    }
    return found;
  }

  /**
   * Stores {@code definition} as the next version unless it equals the latest one; emits {@code
   * config.changed} when it stores. The caller holds the section lock ({@link #lockSection}) and
   * bumps the section revision once for its request when anything was stored.
   */
  Uni<Saved> save(
      SqlConnection tx,
      String workspace,
      String pipeline,
      PipelineDefinition definition,
      String who,
      String traceparent) {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    JsonNode wanted = definition.toJson();
    return tx.preparedQuery(ENSURE_HEAD)
        .execute(Tuple.of(workspace, pipeline, now, who))
        .chain(() -> tx.preparedQuery(LOCK_HEAD).execute(Tuple.of(workspace, pipeline)))
        .chain(
            rows -> {
              Row head = rows.iterator().next();
              int current = head.getInteger(0);
              String stored = head.getString(1);
              // Compare normalised definitions: the stored one went through the same record.
              if (current > 0
                  && PipelineDefinition.fromJson(Json.tree(stored)).toJson().equals(wanted)) {
                return Uni.createFrom().item(new Saved(current, current, false));
              }
              int next = current + 1;
              return tx.preparedQuery(INSERT_VERSION)
                  .execute(
                      Tuple.tuple()
                          .addValue(workspace)
                          .addValue(pipeline)
                          .addValue(next)
                          .addValue(Json.jsonb(wanted))
                          .addValue(now)
                          .addValue(who))
                  .chain(
                      () ->
                          tx.preparedQuery(UPDATE_HEAD)
                              .execute(
                                  Tuple.tuple()
                                      .addValue(workspace)
                                      .addValue(pipeline)
                                      .addValue(next)
                                      .addValue(now)
                                      .addValue(who)))
                  .chain(
                      () ->
                          outbox.append(
                              tx,
                              changed(workspace, pipeline, who, current, next),
                              changes,
                              traceparent))
                  .replaceWith(new Saved(next, current, true));
            });
  }

  private Envelope<ConfigChanged> changed(
      String workspace, String pipeline, String who, int previous, int next) {
    ConfigChanged data =
        new ConfigChanged(
            workspace,
            SECTION,
            who,
            previous == 0 ? null : Integer.toString(previous),
            Integer.toString(next));
    return Envelope.of(EventType.CONFIG_CHANGED, SOURCE, key(workspace, pipeline), data, clock);
  }

  /** The Kafka key and subject of a pipeline's config events: {@code <ws>/<p>}. */
  public static String key(String workspace, String pipeline) {
    return workspace + "/" + pipeline;
  }

  /** The access-check scope of a pipeline. */
  public static String scope(String workspace, String pipeline) {
    return "/workspaces/" + workspace + "/pipelines/" + pipeline;
  }
}
