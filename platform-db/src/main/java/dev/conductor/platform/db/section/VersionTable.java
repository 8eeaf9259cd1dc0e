package dev.conductor.platform.db.section;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Section versions in the {@code config_sections} table (migration {@code
 * db/platform/R__config_sections.sql}): one row per section and workspace ({@code ''} for a global
 * section), bumped once by every change. Changes are serialized with a transaction-scoped advisory
 * lock rather than the row, since a section may have no row yet.
 */
@DefaultBean
@ApplicationScoped
public class VersionTable implements SectionVersions {
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))";
  private static final String CURRENT =
      """
      SELECT version FROM config_sections WHERE workspace = $1 AND section = $2
      """;
  private static final String BUMP =
      """
      INSERT INTO config_sections (workspace, section, version, updated_at, updated_by)
      VALUES ($1, $2, 1, $3, $4)
      ON CONFLICT (workspace, section) DO UPDATE
         SET version = config_sections.version + 1,
             updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
      RETURNING version
      """;
  // Versions only grow, so their sum and count change with every bump and every new section.
  private static final String STAMP =
      "SELECT count(*) || ':' || coalesce(sum(version), 0) FROM config_sections";

  private final Clock clock;

  public VersionTable(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Uni<String> lock(SqlConnection tx, String section, String workspace) {
    return tx.preparedQuery(LOCK)
        .execute(Tuple.of(lockKey(section, workspace)))
        .chain(() -> current(tx, section, workspace));
  }

  /**
   * Not the event's key {@code config/...}: the outbox relay holds {@code hashtext(record_key)}
   * while Kafka acknowledges. Advisory locks are database-wide, hence the prefix.
   */
  static String lockKey(String section, String workspace) {
    return "section/" + row(workspace) + "/" + section;
  }

  @Override
  public Uni<String> current(SqlClient db, String section, String workspace) {
    return db.preparedQuery(CURRENT)
        .execute(Tuple.of(row(workspace), section))
        .map(
            rows -> {
              RowIterator<Row> it = rows.iterator();
              return it.hasNext() ? Long.toString(it.next().getLong(0)) : NONE;
            });
  }

  @Override
  public Uni<String> bump(SqlConnection tx, String section, String workspace, String who) {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return tx.preparedQuery(BUMP)
        .execute(Tuple.of(row(workspace), section, now, who))
        .map(rows -> Long.toString(rows.iterator().next().getLong(0)));
  }

  @Override
  public Uni<String> stamp(SqlClient db) {
    return db.query(STAMP).execute().map(rows -> rows.iterator().next().getString(0));
  }

  private static String row(String workspace) {
    return workspace == null ? "" : workspace;
  }
}
