package dev.conductor.trigger.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.conductor.events.EventCodec;
import dev.conductor.events.JobType;
import dev.conductor.events.data.DataAccess;
import dev.conductor.events.data.StepGraph;
import dev.conductor.events.data.StepSpec;
import dev.conductor.platform.auth.AuthSettings;
import dev.conductor.platform.problem.FieldErrors;
import dev.conductor.trigger.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks a pipeline definition as sent to {@code PUT .../pipelines/{p}} and fills in defaults.
 * Every violation is reported at once, each named by its JSON pointer ({@code
 * /steps/1/dependsOn/0}). Unknown fields are refused so that a typo ({@code dependOn}) is not
 * silently dropped from a definition that governs production runs.
 */
@ApplicationScoped
public class PipelineValidator {
  public static final Pattern STEP_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

  /** Workspace and pipeline names: they become scope segments and Kafka keys. */
  public static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

  public static final String DEFAULT_RESOURCE_CLASS = "smallrc";
  static final Pattern RESOURCE_CLASS = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
  static final int MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
  static final int MAX_RETRIES = 100;

  private static final Set<String> FIELDS =
      Set.of("description", "runAs", "environments", "tags", "parameters", "steps");
  private static final Set<String> STEP_FIELDS =
      Set.of(
          "name",
          "jobType",
          "spec",
          "resourceClass",
          "dependsOn",
          "timeoutSeconds",
          "maxRetries",
          "dataAccess");
  private static final Set<String> ACCESS_FIELDS = Set.of("resource", "permissions");

  private final Set<String> environments;
  private final ParameterSchemas schemas;
  private final String apiAudience;

  public PipelineValidator(Settings settings, AuthSettings auth, ParameterSchemas schemas) {
    this.environments =
        new LinkedHashSet<>(settings.environments().stream().map(String::trim).toList());
    this.schemas = schemas;
    this.apiAudience = auth.audience();
  }

  /** The environments (pools) a pipeline may name, from configuration. */
  public Set<String> environments() {
    return environments;
  }

  /**
   * The definition, normalised.
   *
   * @throws dev.conductor.platform.problem.ProblemException 400 naming every field at fault
   */
  public PipelineDefinition validate(String workspace, String pipeline, JsonNode body) {
    FieldErrors errors = new FieldErrors();
    names(workspace, pipeline, errors);
    if (body == null || !body.isObject()) {
      errors.add("/", "the pipeline definition must be a JSON object");
      errors.throwIfAny();
    }
    unknownFields(body, FIELDS, "", errors);
    String description = optionalString(body, "description", "/description", 2_000, errors);
    String runAs = requiredString(body, "runAs", "/runAs", 200, errors);
    List<String> envs = environments(body.get("environments"), errors);
    Map<String, String> tags = tags(body.get("tags"), errors);
    JsonNode parameters = body.get("parameters");
    if (parameters == null || parameters.isNull()) {
      parameters = JsonNodeFactory.instance.objectNode();
    } else {
      errors.addAll(schemas.checkSchema(parameters, "/parameters"));
    }
    List<StepSpec> steps = steps(body.get("steps"), errors);
    errors.throwIfAny();
    return new PipelineDefinition(description, runAs, envs, tags, parameters, steps);
  }

  static void names(String workspace, String pipeline, FieldErrors errors) {
    if (workspace == null || !NAME.matcher(workspace).matches()) {
      errors.add("workspace", "must match " + NAME.pattern());
    }
    if (pipeline == null || !NAME.matcher(pipeline).matches()) {
      errors.add("pipeline", "must match " + NAME.pattern());
    }
  }

  private List<String> environments(JsonNode node, FieldErrors errors) {
    List<String> result = new ArrayList<>();
    if (node == null || node.isNull()) {
      errors.add("/environments", "is required: the environments this pipeline may run in");
      return result;
    }
    if (!node.isArray() || node.isEmpty()) {
      errors.add("/environments", "must be a non-empty array of environment names");
      return result;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode env = node.get(i);
      String field = "/environments/" + i;
      if (!env.isTextual()) {
        errors.add(field, "must be a string");
      } else if (!environments.contains(env.asText())) {
        errors.add(field, "unknown environment '" + env.asText() + "'; known: " + environments);
      } else if (result.contains(env.asText())) {
        errors.add(field, "'" + env.asText() + "' is listed twice");
      } else {
        result.add(env.asText());
      }
    }
    return result;
  }

  private static Map<String, String> tags(JsonNode node, FieldErrors errors) {
    Map<String, String> tags = new TreeMap<>();
    if (node == null || node.isNull()) {
      return tags;
    }
    if (!node.isObject()) {
      errors.add("/tags", "must be an object of string values");
      return tags;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> tag = it.next();
      String field = "/tags/" + FieldErrors.token(tag.getKey());
      if (tag.getKey().isBlank() || tag.getKey().length() > 128) {
        errors.add(field, "tag names must have 1 to 128 characters");
      } else if (!tag.getValue().isTextual()) {
        errors.add(field, "must be a string");
      } else {
        tags.put(tag.getKey(), tag.getValue().asText());
      }
    }
    return tags;
  }

  private List<StepSpec> steps(JsonNode node, FieldErrors errors) {
    List<StepSpec> steps = new ArrayList<>();
    if (node == null || node.isNull()) {
      errors.add("/steps", "is required");
      return steps;
    }
    if (!node.isArray()) {
      errors.add("/steps", "must be an array");
      return steps;
    }
    if (node.isEmpty()) {
      errors.add("/steps", "must list at least one step");
      return steps;
    }
    // First the names, so that dependsOn can refer to steps listed after it.
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode step = node.get(i);
      if (!step.isObject()) {
        continue;
      }
      String name = requiredString(step, "name", "/steps/" + i + "/name", 63, errors);
      if (name == null) {
        continue;
      }
      if (!STEP_NAME.matcher(name).matches()) {
        errors.add("/steps/" + i + "/name", "must match " + STEP_NAME.pattern());
      } else if (index.containsKey(name)) {
        errors.add(
            "/steps/" + i + "/name",
            "duplicate step name '" + name + "' (also /steps/" + index.get(name) + "/name)");
      } else {
        index.put(name, i);
      }
    }
    boolean dependenciesKnown = true;
    for (int i = 0; i < node.size(); i++) {
      JsonNode step = node.get(i);
      String path = "/steps/" + i;
      if (!step.isObject()) {
        errors.add(path, "must be an object");
        continue;
      }
      unknownFields(step, STEP_FIELDS, path, errors);
      String name = step.path("name").asText(null);
      String jobType = requiredString(step, "jobType", path + "/jobType", 63, errors);
      if (jobType != null && JobType.of(jobType).isEmpty()) {
        errors.add(
            path + "/jobType", "unknown job type '" + jobType + "'; known: " + JobType.ids());
      }
      Map<String, Object> spec = spec(step.get("spec"), jobType, path + "/spec", errors);
      String resourceClass =
          optionalString(step, "resourceClass", path + "/resourceClass", 63, errors);
      if (resourceClass == null) {
        resourceClass = DEFAULT_RESOURCE_CLASS;
      } else if (!RESOURCE_CLASS.matcher(resourceClass).matches()) {
        errors.add(path + "/resourceClass", "must match " + RESOURCE_CLASS.pattern());
      }
      List<String> dependsOn = new ArrayList<>();
      JsonNode deps = step.get("dependsOn");
      if (deps != null && !deps.isNull()) {
        if (!deps.isArray()) {
          errors.add(path + "/dependsOn", "must be an array of step names");
          dependenciesKnown = false;
        } else {
          for (int j = 0; j < deps.size(); j++) {
            JsonNode dep = deps.get(j);
            String field = path + "/dependsOn/" + j;
            if (!dep.isTextual()) {
              errors.add(field, "must be a step name");
              dependenciesKnown = false;
            } else if (!index.containsKey(dep.asText())) {
              errors.add(field, "no step is named '" + dep.asText() + "'");
              dependenciesKnown = false;
            } else if (dependsOn.contains(dep.asText())) {
              errors.add(field, "'" + dep.asText() + "' is listed twice");
            } else {
              dependsOn.add(dep.asText());
            }
          }
        }
      }
      int timeout =
          integer(step, "timeoutSeconds", path + "/timeoutSeconds", MAX_TIMEOUT_SECONDS, errors);
      int retries = integer(step, "maxRetries", path + "/maxRetries", MAX_RETRIES, errors);
      List<DataAccess> access = dataAccess(step.get("dataAccess"), path + "/dataAccess", errors);
      steps.add(
          new StepSpec(name, dependsOn, jobType, spec, resourceClass, timeout, retries, access));
    }
    if (dependenciesKnown && index.size() == node.size()) {
      cycle(steps, errors);
    }
    return steps;
  }

  /** Reports the first dependency cycle, at the dependsOn entry that closes it. */
  private static void cycle(List<StepSpec> steps, FieldErrors errors) {
    StepGraph.firstCycle(steps)
        .ifPresent(
            c -> errors.add("/steps/" + c.step() + "/dependsOn/" + c.dependency(), c.describe()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(
      JsonNode node, String jobType, String path, FieldErrors errors) {
    if (node == null || node.isNull()) {
      return new TreeMap<>();
    }
    if (!node.isObject()) {
      errors.add(path, "must be an object");
      return new TreeMap<>();
    }
    if (JobType.SLEEP.id().equals(jobType) && node.has("millis")) {
      JsonNode millis = node.get("millis");
      if (!millis.canConvertToLong() || !millis.isIntegralNumber() || millis.asLong() < 0) {
        errors.add(path + "/millis", "must be a non-negative integer");
      }
    }
    return new TreeMap<>(EventCodec.JSON.convertValue(node, Map.class));
  }

  private List<DataAccess> dataAccess(JsonNode node, String path, FieldErrors errors) {
    List<DataAccess> result = new ArrayList<>();
    if (node == null || node.isNull()) {
      return result;
    }
    if (!node.isArray()) {
      errors.add(path, "must be an array");
      return result;
    }
    for (int k = 0; k < node.size(); k++) {
      JsonNode entry = node.get(k);
      String field = path + "/" + k;
      if (!entry.isObject()) {
        errors.add(field, "must be an object with resource and permissions");
        continue;
      }
      unknownFields(entry, ACCESS_FIELDS, field, errors);
      String resource = requiredString(entry, "resource", field + "/resource", 200, errors);
      if (apiAudience.equals(resource)) {
        // A job's credential never works on Conductor's own API; the broker would refuse it too.
        errors.add(
            field + "/resource", "'" + resource + "' is Conductor's own API, not a resource");
      }
      List<String> permissions = new ArrayList<>();
      JsonNode perms = entry.get("permissions");
      if (perms == null || !perms.isArray() || perms.isEmpty()) {
        errors.add(field + "/permissions", "must be a non-empty array of permission names");
      } else {
        for (int m = 0; m < perms.size(); m++) {
          JsonNode perm = perms.get(m);
          if (!perm.isTextual() || perm.asText().isBlank()) {
            errors.add(field + "/permissions/" + m, "must be a non-empty string");
          } else if (!permissions.contains(perm.asText())) {
            permissions.add(perm.asText());
          }
        }
      }
      result.add(new DataAccess(resource, permissions));
    }
    return result;
  }

  private static int integer(
      JsonNode parent, String name, String path, int max, FieldErrors errors) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return 0;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
      errors.add(path, "must be a non-negative integer");
      return 0;
    }
    if (node.asInt() > max) {
      errors.add(path, "must be at most " + max);
      return 0;
    }
    return node.asInt();
  }

  private static String requiredString(
      JsonNode parent, String name, String path, int maxLength, FieldErrors errors) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      errors.add(path, "is required");
      return null;
    }
    if (!node.isTextual() || node.asText().isBlank()) {
      errors.add(path, "must be a non-empty string");
      return null;
    }
    if (node.asText().length() > maxLength) {
      errors.add(path, "must have at most " + maxLength + " characters");
      return null;
    }
    return node.asText();
  }

  private static String optionalString(
      JsonNode parent, String name, String path, int maxLength, FieldErrors errors) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    return requiredString(parent, name, path, maxLength, errors);
  }

  private static void unknownFields(
      JsonNode node, Set<String> known, String path, FieldErrors errors) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        errors.add(
            path + "/" + FieldErrors.token(field),
            "unknown field; expected one of " + new TreeSet<>(known));
      }
    }
  }
}
