package dev.conductor.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.config.ConfigChange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.List;
import java.util.Map;

/**
 * One keyed global configuration section ({@code /api/v1/config/{name}}). Items are normalized JSON
 * (defaults filled in) so that a stored section and a document compare by content only; {@link
 * SectionUpdates} runs the shared flow (validate, diff, lock, store, version, event, reload).
 */
public interface GlobalSection {
  /** The path segment and the {@code section} of its config.changed events. */
  String name();

  /**
   * Validates the whole document and returns its items normalized.
   *
   * @throws dev.conductor.platform.problem.ProblemException 400 naming every bad field
   */
  Map<String, JsonNode> parse(JsonNode document);

  /** The stored section, normalized like {@link #parse}. */
  Uni<Map<String, JsonNode>> read(SqlClient client);

  /** The content the settings give, stored as version 1 on the first start. */
  Map<String, JsonNode> initial();

  /** The setting {@link #initial} comes from, named when it is invalid. */
  String setting();

  /**
   * What the first start stores as version 1: the settings, unless the database already holds the
   * section's content from before sections were versioned (see the pools).
   */
  default Uni<Map<String, JsonNode>> firstVersion(SqlClient client) {
    return Uni.createFrom().item(initial());
  }

  /** Refuses changes that cannot be made now (409); read-only, so a dry run asks it too. */
  default Uni<Void> check(SqlClient client, List<ConfigChange> changes) {
    return Uni.createFrom().voidItem();
  }

  /** Outside any transaction and never on a dry run: what must exist before the change commits. */
  default Uni<Void> prepare(List<ConfigChange> changes) {
    return Uni.createFrom().voidItem();
  }

  /**
   * Writes the desired items inside the section's transaction (the section lock is held); must
   * {@link #check} again under its own row locks, since the first check raced with other writers.
   */
  Uni<Void> store(SqlConnection tx, Map<String, JsonNode> desired, List<ConfigChange> changes);

  /** Loads the stored section into memory if it is newer than what is held. */
  Uni<Void> reload(SqlClient client);

  /** The version held in memory (0 before the first load). */
  long loadedVersion();
}
