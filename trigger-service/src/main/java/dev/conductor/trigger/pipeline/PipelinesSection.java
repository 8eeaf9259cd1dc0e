package dev.conductor.trigger.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.SectionDiff;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.Problem.FieldError;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.trigger.config.WorkspaceSection;
import io.smallrye.mutiny.Uni;
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
 * as the per-pipeline PUT does), an identical one keeps its version. The section {@code version} is
 * bumped once per request that stores anything, by this PUT or by {@code PUT .../pipelines/{name}},
 * so it identifies the pipelines in force.
 *
 * <p>A pipeline left out of the document is <b>not</b> removed: there is no pipeline removal yet,
 * and runs reference pipeline versions. So this section is additive, unlike the other sections, and
 * its diff never has a {@code remove}.
 */
@ApplicationScoped
public class PipelinesSection implements WorkspaceSection {
  // The dry run reads the revision and the pipelines from one snapshot.
  private static final String SNAPSHOT =
      "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

  private final PipelineValidator validator;
  private final Pipelines pipelines;
  private final Transactions transactions;

  public PipelinesSection(
      PipelineValidator validator, Pipelines pipelines, Transactions transactions) {
    this.validator = validator;
    this.pipelines = pipelines;
    this.transactions = transactions;
  }

  @Override
  public String name() {
    return Pipelines.SECTION;
  }

  /** The latest version of every pipeline, without version metadata (so GET → PUT is a no-op). */
  @Override
  public Uni<JsonNode> read(String workspace) {
    return pipelines
        .latestOfWorkspace(transactions.pool(), workspace)
        .map(
            all -> {
              ObjectNode document = EventCodec.JSON.createObjectNode();
              all.forEach(p -> document.set(p.pipeline(), p.definition().toJson()));
              return document;
            });
  }

  @Override
  public Uni<ConfigDiff> apply(
      String workspace, JsonNode document, boolean dryRun, String who, String traceparent) {
    Map<String, PipelineDefinition> desired = validate(workspace, document);
    if (dryRun) {
      // No lock, but one snapshot: the revision answered is the one the diff was made against.
      return transactions
          .pool()
          .withTransaction(
              tx ->
                  tx.query(SNAPSHOT)
                      .execute()
                      .chain(() -> pipelines.sectionRevision(tx, workspace))
                      .chain(
                          revision ->
                              pipelines
                                  .latestOfWorkspace(tx, workspace)
                                  .map(
                                      all ->
                                          diff(
                                              workspace,
                                              true,
                                              revision,
                                              planned(all, desired).changes()))));
    }
    return transactions.run(tx -> applyIn(tx, workspace, desired, who, traceparent));
  }

  /**
   * The whole document in one transaction: the section lock first (PUTs of the section, and
   * per-pipeline PUTs, one at a time), then the heads of the named pipelines. The answer is built
   * from what the saves stored, so it never claims a change that was not made.
   */
  private Uni<ConfigDiff> applyIn(
      SqlConnection tx,
      String workspace,
      Map<String, PipelineDefinition> desired,
      String who,
      String traceparent) {
    return pipelines
        .lockSection(tx, workspace)
        .chain(
            revision ->
                pipelines
                    .lockLatest(tx, workspace, desired.keySet())
                    .map(current -> planned(current, desired))
                    .chain(
                        plan ->
                            saveAll(tx, workspace, desired, plan.changes(), who, traceparent)
                                .chain(
                                    saved -> {
                                      List<ConfigChange> stored = stored(plan, saved);
                                      if (stored.isEmpty()) {
                                        return Uni.createFrom()
                                            .item(diff(workspace, false, revision, stored));
                                      }
                                      return pipelines
                                          .bumpSection(tx, workspace, who)
                                          .map(next -> diff(workspace, false, next, stored));
                                    })));
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

  private static ConfigDiff diff(
      String workspace, boolean dryRun, int revision, List<ConfigChange> changes) {
    return ConfigDiff.of(Pipelines.SECTION, workspace, dryRun, Integer.toString(revision), changes);
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

  /** The diff a PUT of {@code desired} would make now. */
  private static Plan planned(
      List<Pipelines.Stored> latest, Map<String, PipelineDefinition> desired) {
    // Only the pipelines the document names: one left out is kept, never removed.
    Map<String, Integer> versions = new TreeMap<>();
    Map<String, JsonNode> before = new TreeMap<>();
    for (Pipelines.Stored p : latest) {
      if (desired.containsKey(p.pipeline())) {
        versions.put(p.pipeline(), p.version());
        before.put(p.pipeline(), diffView(p.definition()));
      }
    }
    return new Plan(SectionDiff.of(before, json(desired)), versions);
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
    List<FieldError> errors = e.toProblem().errors();
    if (errors != null && !errors.isEmpty()) {
      return errors;
    }
    return List.of(new FieldError(e.toProblem().field(), e.getMessage()));
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

  private static ObjectNode indexed(JsonNode array) {
    ObjectNode byIndex = EventCodec.JSON.createObjectNode();
    for (int i = 0; i < array.size(); i++) {
      byIndex.set(Integer.toString(i), array.get(i));
    }
    return byIndex;
  }
}
