package dev.conductor.trigger.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.SectionDiff;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.db.section.Section;
import dev.conductor.platform.db.section.SectionChange;
import dev.conductor.platform.problem.FieldErrors;
import dev.conductor.platform.problem.Problem.FieldError;
import dev.conductor.platform.problem.ProblemException;
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
 * The workspace section {@code pipelines}: a document {@code {name: definition}}, each definition
 * exactly what {@code PUT .../pipelines/{name}} accepts. Every pipeline is validated before
 * anything is stored, and the whole document is applied in one transaction: a new pipeline becomes
 * version 1, a changed one version n+1 (each stored version emits its own {@code config.changed},
 * as the per-pipeline PUT does), an identical one keeps its version. The section version is bumped
 * once per request that stores anything, by this PUT or by {@code PUT .../pipelines/{name}}, so it
 * identifies the pipelines in force.
 *
 * <p>A pipeline left out of the document is <b>not</b> removed: there is no pipeline removal yet,
 * and runs reference pipeline versions. So this section is {@link #additive}, and its diff never
 * has a {@code remove}. Its items are the definitions' {@link #diffView}; {@link #document} turns
 * them back into definitions.
 */
@ApplicationScoped
public class PipelinesSection implements Section {
  private final PipelineValidator validator;
  private final Pipelines pipelines;

  public PipelinesSection(PipelineValidator validator, Pipelines pipelines) {
    this.validator = validator;
    this.pipelines = pipelines;
  }

  @Override
  public String name() {
    return Pipelines.SECTION;
  }

  @Override
  public SectionScope scope() {
    return SectionScope.WORKSPACE;
  }

  @Override
  public boolean additive() {
    return true;
  }

  /** Each stored pipeline version has its own {@code config.changed}, as its own PUT gives it. */
  @Override
  public boolean emitsItemEvents() {
    return true;
  }

  @Override
  public Uni<Map<String, JsonNode>> parse(SqlClient db, String workspace, JsonNode document) {
    return Uni.createFrom().item(() -> json(validate(workspace, document)));
  }

  /** The latest version of every pipeline. */
  @Override
  public Uni<Map<String, JsonNode>> read(SqlClient db, String workspace) {
    return pipelines
        .latestOfWorkspace(db, workspace)
        .map(
            all -> {
              Map<String, JsonNode> items = new TreeMap<>();
              all.forEach(p -> items.put(p.pipeline(), diffView(p.definition())));
              return items;
            });
  }

  /** The definitions, without version metadata (so GET → PUT is a no-op). */
  @Override
  public JsonNode document(Map<String, JsonNode> items) {
    ObjectNode document = EventCodec.JSON.createObjectNode();
    items.forEach((name, view) -> document.set(name, definition(view)));
    return document;
  }

  /** A dry run names the version each change would replace, as the PUT does. */
  @Override
  public Uni<List<ConfigChange>> preview(SqlClient db, SectionChange change) {
    return pipelines
        .latestOfWorkspace(db, change.workspace())
        .map(latest -> new Plan(change.changes(), versions(latest)).changes());
  }

  /**
   * Under the section lock (held by the framework), the heads of the named pipelines, then one save
   * per change. The answer is built from what the saves stored, so it never claims a change that
   * was not made.
   */
  @Override
  public Uni<List<ConfigChange>> store(SqlConnection tx, SectionChange change) {
    String workspace = change.workspace();
    Map<String, PipelineDefinition> desired = validate(workspace, change.document());
    return pipelines
        .lockLatest(tx, workspace, desired.keySet())
        .map(current -> new Plan(change.changes(), versions(current)))
        .chain(
            plan ->
                saveAll(tx, workspace, desired, plan.diff(), change.who(), change.traceparent())
                    .map(saved -> stored(plan, saved)));
  }

  private static Map<String, Integer> versions(List<Pipelines.Stored> latest) {
    Map<String, Integer> versions = new TreeMap<>();
    latest.forEach(p -> versions.put(p.pipeline(), p.version()));
    return versions;
  }

  /**
   * Saves each added or changed pipeline, in name order, through {@link Pipelines#save}: one new
   * version and one {@code config.changed} each, exactly as the per-pipeline PUT. One after the
   * other, since they share the transaction's connection. Answers what each save did, by name.
   */
  private Uni<Map<String, Pipelines.Saved>> saveAll(
      SqlConnection tx,
      String workspace,
      Map<String, PipelineDefinition> desired,
      List<ConfigChange> changes,
      String who,
      String traceparent) {
    Map<String, Pipelines.Saved> saved = new TreeMap<>();
    Uni<Void> done = Uni.createFrom().voidItem();
    for (ConfigChange change : changes) {
      String name = change.item();
      done =
          done.chain(
              () ->
                  pipelines
                      .save(tx, workspace, name, desired.get(name), who, traceparent)
                      .invoke(s -> saved.put(name, s))
                      .replaceWithVoid());
    }
    return done.replaceWith(() -> saved);
  }

  /**
   * What a PUT of {@code desired} would change: the diff against {@code versions} (the latest
   * version of each named pipeline that exists).
   */
  record Plan(List<ConfigChange> diff, Map<String, Integer> versions) {
    /** The diff with the versions it would store (a change names the version it replaces). */
    List<ConfigChange> changes() {
      List<ConfigChange> changes = new ArrayList<>();
      for (ConfigChange change : diff) {
        int version = versions.getOrDefault(change.item(), 0);
        changes.add(withVersions(change, version, version + 1));
      }
      return changes;
    }
  }

  /**
   * The changes the saves actually made, in plan order: a planned change whose save stored nothing
   * is left out, and the versions named are the ones stored. (Under the section lock the saves do
   * what was planned; this keeps the answer true regardless.)
   */
  static List<ConfigChange> stored(Plan plan, Map<String, Pipelines.Saved> saved) {
    List<ConfigChange> stored = new ArrayList<>();
    for (ConfigChange change : plan.diff()) {
      Pipelines.Saved s = saved.get(change.item());
      if (s == null || !s.changed()) {
        continue;
      }
      if (s.created()) {
        stored.add(ConfigChange.added(change.item()));
      } else if (ConfigChange.CHANGE.equals(change.op())) {
        stored.add(withVersions(change, s.previousVersion(), s.version()));
      } else {
        // Planned as new, found existing: all that is known is the version it replaced.
        stored.add(
            ConfigChange.changed(
                change.item(), List.of("version " + s.previousVersion() + " -> " + s.version())));
      }
    }
    return stored;
  }

  /** A change names the version it replaces; an addition is always version 1. */
  private static ConfigChange withVersions(ConfigChange change, int previous, int next) {
    if (!ConfigChange.CHANGE.equals(change.op())) {
      return change;
    }
    List<String> details = new ArrayList<>(change.details());
    details.add("version " + previous + " -> " + next);
    return ConfigChange.changed(change.item(), details);
  }

  /**
   * Every pipeline of the document, validated and normalised (defaults filled in, so an omitted
   * default is not a change).
   *
   * @throws ProblemException 400 naming every field at fault in every pipeline, each pointer
   *     prefixed with {@code /<name>}
   */
  Map<String, PipelineDefinition> validate(String workspace, JsonNode document) {
    if (workspace == null || !PipelineValidator.NAME.matcher(workspace).matches()) {
      throw ProblemException.badRequest(
          "workspace", "must match " + PipelineValidator.NAME.pattern());
    }
    if (document == null || !document.isObject()) {
      throw ProblemException.badRequest(
          "/", "the pipelines section must be a JSON object of pipeline name -> definition");
    }
    FieldErrors errors = new FieldErrors();
    Map<String, PipelineDefinition> desired = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = document.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      String prefix = "/" + FieldErrors.token(name);
      try {
        desired.put(name, validator.validate(workspace, name, entry.getValue()));
      } catch (ProblemException e) {
        for (FieldError error : fieldErrors(e)) {
          // The validator names a bad pipeline name "pipeline"; here the name is the key.
          String message =
              "pipeline".equals(error.field())
                  ? "pipeline names must match " + PipelineValidator.NAME.pattern()
                  : error.message();
          errors.add(prefixed(prefix, error.field()), message);
        }
      }
    }
    errors.throwIfAny();
    return desired;
  }

  private static List<FieldError> fieldErrors(ProblemException e) {
    List<FieldError> errors = e.errors();
    if (errors != null && !errors.isEmpty()) {
      return errors;
    }
    return List.of(new FieldError(e.field(), e.getMessage()));
  }

  /** The validator names the pipeline ({@code pipeline}) and the root ({@code /}) specially. */
  private static String prefixed(String prefix, String field) {
    if (field == null || field.equals("pipeline") || field.equals("/") || field.isEmpty()) {
      return prefix;
    }
    return prefix + field;
  }

  private static Map<String, JsonNode> json(Map<String, PipelineDefinition> definitions) {
    Map<String, JsonNode> map = new TreeMap<>();
    definitions.forEach((name, definition) -> map.put(name, diffView(definition)));
    return map;
  }

  /**
   * The normalised definition as {@link SectionDiff} should compare it. SectionDiff reports a
   * differing array as a whole, which for {@code steps} would print every step to say that one
   * retry count changed; so {@code steps} and each step's {@code dataAccess} are keyed by index,
   * and a detail reads {@code /steps/0/maxRetries: 0 -> 2}, still a pointer into the document. The
   * view differs wherever the definitions do (numbers by value), so it decides what is saved.
   */
  static JsonNode diffView(PipelineDefinition definition) {
    ObjectNode view = (ObjectNode) definition.toJson();
    ObjectNode steps = indexed(view.path("steps"));
    steps.forEach(
        step -> {
          if (step.isObject()) {
            ((ObjectNode) step).set("dataAccess", indexed(step.path("dataAccess")));
          }
        });
    view.set("steps", steps);
    return view;
  }

  /** The definition JSON of a {@link #diffView}: the keyed steps and data accesses as arrays. */
  static JsonNode definition(JsonNode view) {
    ObjectNode definition = view.deepCopy();
    ArrayNode steps = array(view.path("steps"));
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).isObject()) {
        ObjectNode step = (ObjectNode) steps.get(i);
        step.set("dataAccess", array(step.path("dataAccess")));
      }
    }
    definition.set("steps", steps);
    return definition;
  }

  private static ArrayNode array(JsonNode byIndex) {
    ArrayNode array = EventCodec.JSON.createArrayNode();
    for (int i = 0; i < byIndex.size(); i++) {
      array.add(byIndex.get(Integer.toString(i)).deepCopy());
    }
    return array;
  }

  private static ObjectNode indexed(JsonNode array) {
    ObjectNode byIndex = EventCodec.JSON.createObjectNode();
    for (int i = 0; i < array.size(); i++) {
      byIndex.set(Integer.toString(i), array.get(i));
    }
    return byIndex;
  }
}
