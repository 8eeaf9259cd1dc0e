package dev.conductor.broker.policy;

import dev.conductor.platform.db.section.SectionVersions;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The broker's section versions: every section changes the one policy, so a section's version is
 * the policy version ({@link PolicyVersion}), all sections share the policy lock that seed loads
 * take too, and a change bumps the policy revision. Replaces platform-db's per-section table.
 */
@ApplicationScoped
public class PolicyRevision implements SectionVersions {
  private static final String HEAD = "SELECT policy_version, revision FROM policy WHERE id = 1";

  @Override
  public Uni<String> lock(SqlConnection tx, String section, String workspace) {
    return tx.query(PolicyVersion.LOCK_SQL).execute().chain(() -> current(tx, section, workspace));
  }

  @Override
  public Uni<String> current(SqlClient db, String section, String workspace) {
    return head(db).map(Head::version);
  }

  @Override
  public Uni<String> bump(SqlConnection tx, String section, String workspace, String who) {
    return head(tx)
        .chain(
            head ->
                tx.preparedQuery("UPDATE policy SET revision = $1 WHERE id = 1")
                    .execute(Tuple.of(head.revision() + 1))
                    .map(ignored -> PolicyVersion.of(head.seedVersion(), head.revision() + 1)));
  }

  /** The policy version: seed reloads change it too, so other instances follow those as well. */
  @Override
  public Uni<String> stamp(SqlClient db) {
    return db.query(HEAD)
        .execute()
        .map(rows -> rows.size() == 0 ? NONE : version(rows.iterator().next()).version());
  }

  private static Uni<Head> head(SqlClient db) {
    return db.query(HEAD)
        .execute()
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw ProblemException.unavailable("no policy has been loaded yet");
              }
              return version(rows.iterator().next());
            });
  }

  private static Head version(Row row) {
    return new Head(row.getString(0), row.getLong(1));
  }

  /** The stored policy row: the version in force is derived from it. */
  private record Head(String seedVersion, long revision) {
    String version() {
      return PolicyVersion.of(seedVersion, revision);
    }
  }
}
