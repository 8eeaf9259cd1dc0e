package dev.conductor.platform.db.retention;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Rows a service deletes once they are older than a retention setting, so that no table grows
 * without bound: a CDI bean implementing this is swept by {@link RetentionSweeper}. Deleting in
 * batches ({@code limit}) keeps each transaction short.
 */
public interface RetentionRule {
  /** What is deleted, for the log: e.g. {@code inbox rows}. */
  String name();

  /** The setting that holds the retention, e.g. {@code conductor.retention.inbox}. */
  String setting();

  /** How long rows are kept; empty keeps them forever. */
  Optional<Duration> retention();

  /** Deletes at most {@code limit} rows older than {@code cutoff}; answers how many it deleted. */
  Uni<Integer> sweep(SqlConnection tx, Instant cutoff, int limit);
}
