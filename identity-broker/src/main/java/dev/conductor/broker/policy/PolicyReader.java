package dev.conductor.broker.policy;

import dev.conductor.broker.issuer.Client;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the policy and clients in force. All tables are read in one repeatable-read snapshot, so
 * the version read always belongs to the rows read (a poll that compares versions must never keep
 * rows older than their version).
 */
final class PolicyReader {
  private PolicyReader() {}

  static Uni<PolicyStore.Snapshot> read(Pool pool) {
    return pool.withTransaction(
        db ->
            db.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute()
                .chain(() -> read(db)));
  }

  /** The seed version and revision of the policy row; none before the first seed load. */
  private record Head(String seedVersion, long revision) {
    static final Head NONE = new Head(null, -1);
  }

  private static Uni<PolicyStore.Snapshot> read(SqlConnection db) {
    Uni<Head> head =
        db.query("SELECT policy_version, revision FROM policy WHERE id = 1")
            .execute()
            .map(
                rows -> {
                  if (rows.size() == 0) {
                    return Head.NONE;
                  }
                  Row row = rows.iterator().next();
                  return new Head(row.getString(0), row.getLong(1));
                });
    // One connection runs these one after another, all inside the same snapshot.
    return head.chain(
        h ->
            Uni.combine()
                .all()
                .unis(roles(db), assignments(db), identities(db), clients(db))
                .asTuple()
                .map(
                    t ->
                        new PolicyStore.Snapshot(
                            new Policy(
                                h.seedVersion() == null
                                    ? "none"
                                    : PolicyVersion.of(h.seedVersion(), h.revision()),
                                t.getItem1(),
                                t.getItem2(),
                                t.getItem3()),
                            t.getItem4(),
                            h.revision())));
  }

  private static Uni<Map<String, Set<String>>> roles(SqlConnection db) {
    return db.query(
            """
            SELECT r.name, p.permission FROM roles r
            LEFT JOIN role_permissions p ON p.role = r.name ORDER BY r.name, p.permission
            """)
        .execute()
        .map(
            rows -> {
              Map<String, Set<String>> map = new LinkedHashMap<>();
              for (Row row : rows) {
                Set<String> perms =
                    map.computeIfAbsent(row.getString(0), k -> new LinkedHashSet<>());
                if (row.getString(1) != null) {
                  perms.add(row.getString(1));
                }
              }
              return map;
            });
  }

  private static Uni<List<Assignment>> assignments(SqlConnection db) {
    return db.query("SELECT principal, group_name, role, scope FROM assignments ORDER BY id")
        .execute()
        .map(
            rows -> {
              List<Assignment> list = new ArrayList<>();
              for (Row row : rows) {
                list.add(
                    new Assignment(
                        row.getString(0),
                        row.getString(1),
                        row.getString(2),
                        Scope.parse(row.getString(3))));
              }
              return list;
            });
  }

  private static Uni<List<RunAsIdentity>> identities(SqlConnection db) {
    return db.query(
            """
            SELECT workspace, name, description, environments, tags, owner FROM identities
            ORDER BY workspace, name, owner
            """)
        .execute()
        .map(
            rows -> {
              List<RunAsIdentity> list = new ArrayList<>();
              for (Row row : rows) {
                list.add(
                    new RunAsIdentity(
                        row.getString(0),
                        row.getString(1),
                        row.getString(2),
                        List.of(row.getArrayOfStrings(3)),
                        tags(row.getJsonObject(4)),
                        row.getString(5)));
              }
              return list;
            });
  }

  /** JSONB tags as a string map (only strings are ever stored). */
  private static Map<String, String> tags(JsonObject json) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (json != null) {
      json.forEach(e -> tags.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return tags;
  }

  private static Uni<Map<String, Client>> clients(SqlConnection db) {
    return db.query("SELECT id, secret_hash, groups FROM clients")
        .execute()
        .map(
            rows -> {
              Map<String, Client> map = new HashMap<>();
              for (Row row : rows) {
                String[] groups = row.getArrayOfStrings(2);
                map.put(
                    row.getString(0),
                    new Client(
                        row.getString(0),
                        row.getString(1),
                        groups == null ? List.of() : List.of(groups)));
              }
              return map;
            });
  }
}
