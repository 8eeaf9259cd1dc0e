package dev.conductor.platform.db.retention;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * A rule that is one DELETE: {@code sweep} is a statement with the cutoff as {@code $1} and the
 * batch size as {@code $2}, e.g. {@code DELETE FROM t WHERE ctid IN (SELECT ctid FROM t WHERE
 * created_at < $1 LIMIT $2)}. A subclass is a {@code @Singleton} bean that names its table's rule.
 */
public abstract class SqlRetention implements RetentionRule {
  private final String name;
  private final String setting;
  private final Optional<Duration> retention;
  private final String sweep;

  protected SqlRetention(String name, String setting, Optional<Duration> retention, String sweep) {
    this.name = name;
    this.setting = setting;
    this.retention = retention;
    this.sweep = sweep;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String setting() {
    return setting;
  }

  @Override
  public Optional<Duration> retention() {
    return retention;
  }

  @Override
  public Uni<Integer> sweep(SqlConnection tx, Instant cutoff, int limit) {
    return tx.preparedQuery(sweep)
        .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), limit))
        .map(rows -> rows.rowCount());
  }
}
