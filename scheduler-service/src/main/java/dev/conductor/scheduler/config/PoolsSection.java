package dev.conductor.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.db.section.Section;
import dev.conductor.platform.db.section.SectionChange;
import dev.conductor.platform.db.section.SectionFollower;
import dev.conductor.platform.db.section.SectionVersions;
import dev.conductor.platform.problem.Problem;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.dispatch.Cause;
import dev.conductor.scheduler.dispatch.Dispatcher;
import dev.conductor.scheduler.pool.PoolConfig;
import dev.conductor.scheduler.pool.PoolStore;
import dev.conductor.scheduler.pool.PoolTopics;
import dev.conductor.scheduler.pool.Pools;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Section {@code pools}: {@code {name: {paused?, description?}}}. A pool left out is retired (kept,
 * since attempts reference it; refused while attempts or executors hold it); a new one gets its
 * topics first; pausing stops grants and un-pausing drains the pool at once.
 */
@ApplicationScoped
public class PoolsSection implements Section, SectionFollower {
  static final String NAME = "pools";
  private static final int MAX_DESCRIPTION = 500;
  private static final Set<String> FIELDS = Set.of("paused", "description");

  private final PoolStore store;
  private final Pools pools;
  private final PoolTopics topics;
  private final Dispatcher dispatcher;
  private final SectionVersions versions;
  private final Clock clock;
  private final List<String> settings;

  public PoolsSection(
      PoolStore store,
      Pools pools,
      PoolTopics topics,
      Dispatcher dispatcher,
      SectionVersions versions,
      Clock clock,
      Settings settings) {
    this.store = store;
    this.pools = pools;
    this.topics = topics;
    this.dispatcher = dispatcher;
    this.versions = versions;
    this.clock = clock;
    this.settings = settings.pools().stream().map(String::trim).toList();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public SectionScope scope() {
    return SectionScope.GLOBAL;
  }

  @Override
  public Uni<Map<String, JsonNode>> parse(SqlClient db, String workspace, JsonNode document) {
    return Uni.createFrom().item(() -> parse(document));
  }

  /** The document's pools, normalized; 400 naming every field at fault. */
  Map<String, JsonNode> parse(JsonNode document) {
    if (document == null || !document.isObject()) {
      throw ProblemException.badRequest("", "the pools document must be an object of pools");
    }
    List<Problem.FieldError> errors = new ArrayList<>();
    Map<String, JsonNode> items = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = document.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String at = Names.pointer(entry.getKey());
      if (!Names.valid(entry.getKey())) {
        errors.add(new Problem.FieldError(at, "a pool name must match " + Names.NAME.pattern()));
        continue;
      }
      PoolConfig config = poolConfig(entry.getValue(), at, errors);
      if (config != null) {
        items.put(entry.getKey(), item(config));
      }
    }
    if (!errors.isEmpty()) {
      throw ProblemException.invalid(errors);
    }
    return items;
  }

  private static PoolConfig poolConfig(JsonNode value, String at, List<Problem.FieldError> errors) {
    if (value == null || !value.isObject()) {
      errors.add(new Problem.FieldError(at, "a pool must be an object {paused?, description?}"));
      return null;
    }
    int before = errors.size();
    value
        .fieldNames()
        .forEachRemaining(
            f -> {
              if (!FIELDS.contains(f)) {
                errors.add(new Problem.FieldError(at + Names.pointer(f), "unknown field"));
              }
            });
    JsonNode paused = value.get("paused");
    if (paused != null && !paused.isBoolean()) {
      errors.add(new Problem.FieldError(at + "/paused", "paused must be true or false"));
    }
    JsonNode description = value.get("description");
    if (description != null
        && !description.isNull()
        && (!description.isTextual() || description.textValue().length() > MAX_DESCRIPTION)) {
      errors.add(
          new Problem.FieldError(
              at + "/description", "description must be text of at most 500 characters"));
    }
    if (errors.size() > before) {
      return null;
    }
    return new PoolConfig(
        paused != null && paused.booleanValue(),
        description == null || description.isNull() ? null : description.textValue());
  }

  /** The normalized item: {@code paused} always present, {@code description} when set. */
  static JsonNode item(PoolConfig config) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("paused", config.paused());
    if (config.description() != null) {
      node.put("description", config.description());
    }
    return node;
  }

  private static PoolConfig config(JsonNode item) {
    JsonNode description = item.get("description");
    return new PoolConfig(
        item.path("paused").asBoolean(false), description == null ? null : description.asText());
  }

  @Override
  public Uni<Map<String, JsonNode>> read(SqlClient client, String workspace) {
    return store
        .active(client)
        .map(
            active -> {
              Map<String, JsonNode> items = new TreeMap<>();
              active.forEach((name, config) -> items.put(name, item(config)));
              return items;
            });
  }

  @Override
  public Optional<Map<String, JsonNode>> initial() {
    Map<String, JsonNode> items = new TreeMap<>();
    settings.forEach(name -> items.put(name, item(new PoolConfig(false, null))));
    return Optional.of(items);
  }

  @Override
  public String setting() {
    return "conductor.scheduler.pools";
  }

  /**
   * An upgrade from before sections finds pool rows but no version: the active pools stay (with
   * their paused flag and description) and the settings' pools are added, rather than retiring
   * every pool the settings do not name. On an empty database this is just the settings.
   */
  @Override
  public Uni<Map<String, JsonNode>> firstVersion(SqlClient client) {
    return read(client, null)
        .map(
            active -> {
              Map<String, JsonNode> items = new TreeMap<>(initial().orElseThrow());
              items.putAll(active);
              return items;
            });
  }

  @Override
  public Uni<Void> check(SqlClient client, SectionChange change) {
    List<String> retired = names(change.changes(), ConfigChange.REMOVE);
    if (retired.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return store
        .holders(client, retired, clock.instant())
        .invoke(
            held -> {
              if (!held.isEmpty()) {
                throw inUse(held);
              }
            })
        .replaceWithVoid();
  }

  @Override
  public Uni<Void> prepare(SectionChange change) {
    return topics.requireProvisioned(names(change.changes(), ConfigChange.ADD));
  }

  @Override
  public Uni<List<ConfigChange>> store(SqlConnection tx, SectionChange change) {
    List<ConfigChange> changes = change.changes();
    Map<String, JsonNode> desired = change.desired();
    List<String> retired = names(changes, ConfigChange.REMOVE);
    List<String> written = new ArrayList<>(names(changes, ConfigChange.ADD));
    List<String> changed = names(changes, ConfigChange.CHANGE);
    written.addAll(changed);
    // The row locks (FOR NO KEY UPDATE, the grant lock) make run intake and executor registration
    // of a retiring pool wait for us: both take the same lock first and then read retired_at from
    // the row. The KEY SHARE an attempt's or executor's foreign key takes would not conflict.
    Uni<Void> chain =
        retired.isEmpty()
            ? Uni.createFrom().voidItem()
            : store
                .lock(tx, retired)
                .chain(() -> check(tx, change))
                .chain(() -> store.retire(tx, retired, clock.instant()));
    for (String pool : written) {
      chain = chain.chain(() -> store.upsert(tx, pool, config(desired.get(pool))));
    }
    // Paused or not decides the reason waiting attempts give; un-pausing hands out slots at once.
    for (String pool : changed) {
      chain = chain.chain(() -> dispatcher.drain(tx, pool, Cause.none()));
    }
    return chain.replaceWith(changes);
  }

  /** Loads the stored pools into memory; {@link Pools} keeps whichever version is newer. */
  @Override
  public Uni<Void> refresh(SqlClient client) {
    return versions
        .current(client, NAME, null)
        .chain(
            version ->
                store
                    .active(client)
                    .invoke(active -> pools.replace(Long.parseLong(version), active)))
        .replaceWithVoid();
  }

  private static List<String> names(List<ConfigChange> changes, String op) {
    return changes.stream().filter(c -> c.op().equals(op)).map(ConfigChange::item).toList();
  }

  private static ProblemException inUse(Map<String, PoolStore.Holders> held) {
    List<Problem.FieldError> errors = new ArrayList<>();
    held.forEach(
        (pool, holders) ->
            errors.add(
                new Problem.FieldError(
                    Names.pointer(pool), "pool " + pool + " is in use: " + holders)));
    String detail =
        "cannot retire "
            + held.keySet()
            + " while in use: "
            + String.join("; ", errors.stream().map(Problem.FieldError::message).toList());
    return ProblemException.conflict(errors, detail);
  }
}
