package dev.conductor.scheduler.config;

import static dev.conductor.scheduler.Sql.ts;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code config_sections} table: one version per global section, bumped by every change. Also
 * the advisory locks that serialize changes of one section (and first starts) across instances: a
 * section may have no row yet, so a row lock could not do it.
 */
@ApplicationScoped
public class SectionVersions {
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))";
  private static final String VERSION = "SELECT version FROM config_sections WHERE section = $1";
  private static final String ALL = "SELECT section, version FROM config_sections";
  private static final String BUMP =
      "INSERT INTO config_sections (section, version, updated_at, updated_by)"
          + " VALUES ($1, 1, $2, $3) ON CONFLICT (section) DO UPDATE SET"
          + " version = config_sections.version + 1, updated_at = EXCLUDED.updated_at,"
          + " updated_by = EXCLUDED.updated_by RETURNING version";

  /** Holds {@code key} until the transaction ends; other transactions locking it wait. */
  public Uni<Void> lock(SqlConnection tx, String key) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(key)).replaceWithVoid();
  }

  /** The section's version, 0 when it was never stored. */
  public Uni<Long> version(SqlClient client, String section) {
    return client
        .preparedQuery(VERSION)
        .execute(Tuple.of(section))
        .map(rows -> rows.rowCount() == 0 ? 0L : rows.iterator().next().getLong("version"));
  }

  /** Every stored section with its version: what the poll compares with what it holds. */
  public Uni<Map<String, Long>> all(SqlClient client) {
    return client
        .query(ALL)
        .execute()
        .map(
            rows -> {
              Map<String, Long> versions = new HashMap<>();
              rows.forEach(row -> versions.put(row.getString("section"), row.getLong("version")));
              return versions;
            });
  }

  /** The next version of the section (1 for its first), recorded with who made it and when. */
  public Uni<Long> bump(SqlConnection tx, String section, String who, Instant now) {
    return tx.preparedQuery(BUMP)
        .execute(Tuple.of(section, ts(now), who))
        .map(rows -> rows.iterator().next().getLong("version"));
  }
}
