package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * One configuration section of the broker's policy (DESIGN §7). A section is handled as a keyed map
 * of normalized items ({@code item name -> JSON}), which is what {@code SectionDiff} compares; the
 * document a PUT accepts and a GET answers is built from the same map, so GET then PUT changes
 * nothing. {@code workspace} is null for global sections.
 */
public interface ConfigSection {
  String name();

  /** True for a global section ({@code /api/v1/config/{name}}). */
  boolean global();

  /**
   * Validates the whole document and answers it keyed and normalized (defaults filled in, lists
   * sorted where order has no meaning). Runs under the policy lock, so {@code roles} (name to
   * permissions) are the roles stored in the database right now, not this instance's copy.
   *
   * @throws dev.conductor.platform.problem.ProblemException 400 naming every field at fault
   */
  SortedMap<String, JsonNode> parse(
      JsonNode body, String workspace, Map<String, Set<String>> roles);

  /** The section as stored, keyed and normalized like {@link #parse}. */
  Uni<SortedMap<String, JsonNode>> current(SqlClient db, String workspace);

  /** The document for a keyed section (what GET answers and PUT accepts). */
  JsonNode document(SortedMap<String, JsonNode> section);

  /**
   * Checks that need the stored policy; runs under the policy lock, before anything is written.
   * Fails with a problem (e.g. 409 for a role still in use).
   */
  default Uni<Void> check(
      SqlConnection tx,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired) {
    return Uni.createFrom().voidItem();
  }

  /**
   * No escalation: refuses (403 naming the fields) a change that would grant something the caller
   * does not hold itself. Runs after {@link #check}, for dry runs too; removing never needs it.
   */
  default void authorize(
      Grants grants,
      JsonNode body,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired,
      Map<String, Set<String>> roles) {}

  /** Replaces the stored section with {@code desired}. */
  Uni<Void> write(
      SqlConnection tx,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired);
}
