package dev.conductor.trigger.config;

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
 * The per-workspace revision of each configuration section (table {@code config_sections}): 0 until
 * the first changing PUT of the section, then bumped once per changing PUT. The PostgreSQL-specific
 * locking of section PUTs lives here.
 */
@ApplicationScoped
public class SectionRevisions {
  // Transaction-scoped, so it is released by commit or rollback; a hash collision between two
  // sections only serializes them needlessly. Prefixed because advisory locks are database-wide.
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))";
  private static final String CURRENT =
      "SELECT version FROM config_sections WHERE workspace = $1 AND section = $2";
  private static final String BUMP =
      "INSERT INTO config_sections (workspace, section, version, updated_at, updated_by)"
          + " VALUES ($1, $2, 1, $3, $4) ON CONFLICT (workspace, section) DO UPDATE"
          + " SET version = config_sections.version + 1, updated_at = EXCLUDED.updated_at,"
          + " updated_by = EXCLUDED.updated_by RETURNING version";

  private final Clock clock;

  public SectionRevisions(Clock clock) {
    this.clock = clock;
  }

  /**
   * Serializes PUTs of one section of one workspace until {@code tx} ends (a lock, not a row: a PUT
   * that changes nothing must store nothing); answers the revision in force.
   */
  public Uni<Integer> lock(SqlConnection tx, String workspace, String section) {
    return tx.preparedQuery(LOCK)
        .execute(Tuple.of("trigger/config/" + workspace + "/" + section))
        .chain(() -> current(tx, workspace, section));
  }

  /** The revision in force, 0 when the section was never changed through a section PUT. */
  public Uni<Integer> current(SqlClient client, String workspace, String section) {
    return client
        .preparedQuery(CURRENT)
        .execute(Tuple.of(workspace, section))
        .map(
            rows -> {
              RowIterator<Row> it = rows.iterator();
              return it.hasNext() ? it.next().getInteger(0) : 0;
            });
  }

  /** Records a change by {@code who}; answers the new revision. */
  public Uni<Integer> bump(SqlConnection tx, String workspace, String section, String who) {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return tx.preparedQuery(BUMP)
        .execute(Tuple.of(workspace, section, now, who))
        .map(rows -> rows.iterator().next().getInteger(0));
  }
}
