package dev.conductor.platform.db.section;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Something that holds sections in memory (the scheduler's pools, the broker's policy): told by
 * {@link SectionWatch} right after this instance changed a section and whenever another instance
 * may have. It reloads what is newer than what it holds; a failure keeps what it holds.
 */
public interface SectionFollower {
  Uni<Void> refresh(SqlClient db);
}
