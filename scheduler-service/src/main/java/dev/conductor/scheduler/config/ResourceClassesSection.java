package dev.conductor.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.db.section.Section;
import dev.conductor.platform.db.section.SectionChange;
import dev.conductor.platform.db.section.SectionFollower;
import dev.conductor.platform.db.section.SectionVersions;
import dev.conductor.platform.problem.Problem;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.slot.ResourceClassStore;
import dev.conductor.scheduler.slot.ResourceClasses;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Section {@code resourceClasses}: {@code {name: slots}}. Never empty, since no run could be valid
 * without a class. Steps copied their cost when accepted, so a change only affects new runs.
 */
@ApplicationScoped
public class ResourceClassesSection implements Section, SectionFollower {
  static final String NAME = "resourceClasses";
  static final int MAX_SLOTS = 10_000;

  private final ResourceClassStore store;
  private final ResourceClasses classes;
  private final SectionVersions versions;
  private final Map<String, Integer> settings;

  public ResourceClassesSection(
      ResourceClassStore store,
      ResourceClasses classes,
      SectionVersions versions,
      Settings settings) {
    this.store = store;
    this.classes = classes;
    this.versions = versions;
    this.settings = ResourceClasses.parse(settings.resourceClasses());
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

  /** The document's classes, normalized; 400 naming every field at fault. */
  Map<String, JsonNode> parse(JsonNode document) {
    if (document == null || !document.isObject()) {
      throw ProblemException.badRequest("", "the document must be an object {name: slots}");
    }
    if (document.isEmpty()) {
      throw ProblemException.badRequest("", "at least one resource class is required");
    }
    List<Problem.FieldError> errors = new ArrayList<>();
    Map<String, JsonNode> items = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = document.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String at = Names.pointer(entry.getKey());
      JsonNode slots = entry.getValue();
      if (!Names.valid(entry.getKey())) {
        errors.add(new Problem.FieldError(at, "a class name must match " + Names.NAME.pattern()));
      } else if (slots == null
          || !slots.isIntegralNumber()
          || !slots.canConvertToInt()
          || slots.intValue() < 1
          || slots.intValue() > MAX_SLOTS) {
        errors.add(new Problem.FieldError(at, "slots must be an integer from 1 to " + MAX_SLOTS));
      } else {
        items.put(entry.getKey(), IntNode.valueOf(slots.intValue()));
      }
    }
    if (!errors.isEmpty()) {
      throw ProblemException.invalid(errors);
    }
    return items;
  }

  @Override
  public Uni<Map<String, JsonNode>> read(SqlClient client, String workspace) {
    return store.all(client).map(ResourceClassesSection::items);
  }

  @Override
  public Optional<Map<String, JsonNode>> initial() {
    return Optional.of(items(settings));
  }

  @Override
  public String setting() {
    return "conductor.scheduler.resource-classes";
  }

  @Override
  public Uni<List<ConfigChange>> store(SqlConnection tx, SectionChange change) {
    Map<String, Integer> slots = new TreeMap<>();
    change.desired().forEach((name, node) -> slots.put(name, node.intValue()));
    return store.replace(tx, slots).replaceWith(change.changes());
  }

  /** Loads the stored classes into memory; {@link ResourceClasses} keeps the newer version. */
  @Override
  public Uni<Void> refresh(SqlClient client) {
    return versions
        .current(client, NAME, null)
        .chain(
            version ->
                store.all(client).invoke(all -> classes.replace(Long.parseLong(version), all)))
        .replaceWithVoid();
  }

  private static Map<String, JsonNode> items(Map<String, Integer> slots) {
    Map<String, JsonNode> items = new TreeMap<>();
    slots.forEach((name, n) -> items.put(name, IntNode.valueOf(n)));
    return items;
  }
}
