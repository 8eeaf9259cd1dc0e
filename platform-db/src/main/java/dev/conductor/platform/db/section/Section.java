package dev.conductor.platform.db.section;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.SectionScope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A configuration section (DESIGN §7): a CDI bean implementing this is served at {@code
 * /api/v1/config/{name}} or {@code /api/v1/workspaces/{ws}/config/{name}} by {@link
 * SectionUpdates}, which versions it, answers the dry-run diff and appends {@code config.changed}
 * (who, old and new version) in the transaction that stores it. A section is handled as a keyed map
 * of normalized items ({@code item name -> JSON}, defaults filled in, lists in a canonical order):
 * what {@code SectionDiff} compares, what GET answers and PUT accepts, so GET then PUT changes
 * nothing. {@code workspace} is null for a global section.
 *
 * <p>A section needs {@link #name}, {@link #scope}, {@link #parse} (its validation), {@link #read}
 * and {@link #store}; the rest are hooks with defaults. See {@code platform-db/README.md}.
 */
public interface Section {
  /** The path segment and the {@code section} of its config.changed events. */
  String name();

  SectionScope scope();

  /**
   * Validates the whole document and answers its items normalized. Runs inside the section's
   * transaction (under its lock for a PUT, in one snapshot for a dry run), so it may read stored
   * state that validation depends on.
   *
   * @throws dev.conductor.platform.problem.ProblemException 400 naming every field at fault
   */
  Uni<Map<String, JsonNode>> parse(SqlClient db, String workspace, JsonNode document);

  /** The section as stored, normalized like {@link #parse}. */
  Uni<Map<String, JsonNode>> read(SqlClient db, String workspace);

  /**
   * Writes the change inside the section's transaction (its lock is held); answers the changes it
   * made, which is what the PUT answers ({@code change.changes()} unless the section knows more).
   */
  Uni<List<ConfigChange>> store(SqlConnection tx, SectionChange change);

  /** The document for the items (what GET answers and PUT accepts): an object of the items. */
  default JsonNode document(Map<String, JsonNode> items) {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    items.forEach(document::set);
    return document;
  }

  /**
   * True when an item left out of the document is kept rather than removed (pipelines, which runs
   * reference): the diff then has no {@code remove}.
   */
  default boolean additive() {
    return false;
  }

  /**
   * Refuses a change that cannot be made now (409) or not by this caller (403). Read-only; asked
   * for a dry run too, and again inside the PUT's transaction under the section's lock.
   */
  default Uni<Void> check(SqlClient db, SectionChange change) {
    return Uni.createFrom().voidItem();
  }

  /**
   * Outside any transaction and never on a dry run: what must exist before the change commits (the
   * scheduler's pool topics).
   */
  default Uni<Void> prepare(SectionChange change) {
    return Uni.createFrom().voidItem();
  }

  /**
   * True when {@link #store} appends a {@code config.changed} for each item it stores (pipelines:
   * one per pipeline version, as their own PUT does), so the framework appends none for the
   * section: one change, one event.
   */
  default boolean emitsItemEvents() {
    return false;
  }

  /** The changes a dry run answers; a section may add what the store would add (versions). */
  default Uni<List<ConfigChange>> preview(SqlClient db, SectionChange change) {
    return Uni.createFrom().item(change.changes());
  }

  /**
   * A global section's content from the service's settings, stored as version 1 on the first start
   * (see {@link SectionBootstrap}); empty for a section that starts empty.
   */
  default Optional<Map<String, JsonNode>> initial() {
    return Optional.empty();
  }

  /** The setting {@link #initial} comes from, named when it is invalid. */
  default String setting() {
    return name();
  }

  /**
   * What the first start stores as version 1: {@link #initial}, unless the database already holds
   * content from before the section was versioned.
   */
  default Uni<Map<String, JsonNode>> firstVersion(SqlClient db) {
    return Uni.createFrom().item(initial().orElseThrow());
  }
}
