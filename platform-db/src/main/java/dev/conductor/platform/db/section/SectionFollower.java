package dev.conductor.platform.db.section;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Something that holds sections in memory (the scheduler's pools, the broker's policy): told by
 * {@link SectionWatch} right after this instance changed a section and whenever another instance
 * may have. It reloads what is newer than what it holds. A failure keeps what it holds and must
 * fail the returned {@code Uni}: the watch then tries again at its next poll, where a swallowed
 * failure would leave this instance on the old copy until the next change.
 */
public interface SectionFollower {
  Uni<Void> refresh(SqlClient db);
}
