package dev.conductor.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.conductor.platform.config.ConfigChange;
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
import java.util.TreeMap;

/**
 * Section {@code resourceClasses}: {@code {name: slots}}. Never empty, since no run could be valid
 * without a class. Steps copied their cost when accepted, so a change only affects new runs.
 */
@ApplicationScoped
public class ResourceClassesSection implements GlobalSection {
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
  public Map<String, JsonNode> parse(JsonNode document) {
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
  public Uni<Map<String, JsonNode>> read(SqlClient client) {
    return store.all(client).map(ResourceClassesSection::items);
  }

  @Override
  public Map<String, JsonNode> initial() {
    return items(settings);
  }

  @Override
  public String setting() {
    return "conductor.scheduler.resource-classes";
  }

  @Override
  public Uni<Void> store(
      SqlConnection tx, Map<String, JsonNode> desired, List<ConfigChange> changes) {
    Map<String, Integer> slots = new TreeMap<>();
    desired.forEach((name, node) -> slots.put(name, node.intValue()));
    return store.replace(tx, slots);
  }

  @Override
  public Uni<Void> reload(SqlClient client) {
    return versions
        .version(client, NAME)
        .chain(version -> store.all(client).invoke(all -> classes.replace(version, all)))
        .replaceWithVoid();
  }

  @Override
  public long loadedVersion() {
    return classes.version();
  }

  private static Map<String, JsonNode> items(Map<String, Integer> slots) {
    Map<String, JsonNode> items = new TreeMap<>();
    slots.forEach((name, n) -> items.put(name, IntNode.valueOf(n)));
    return items;
  }
}
