package dev.conductor.trigger.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.conductor.platform.problem.FieldErrors;
import dev.conductor.platform.problem.Problem.FieldError;
import dev.conductor.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas (draft 2020-12) that pipelines declare for their run parameters: checks a schema
 * when a pipeline is stored and validates parameters when a run is requested, naming each failing
 * field as a JSON pointer. Schemas may only reference themselves ({@code #...}): nothing is ever
 * fetched over the network on behalf of a pipeline author.
 */
@ApplicationScoped
public class ParameterSchemas {
  public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
  private static final int MAX_CACHED = 1_000;

  /** Keywords whose error names a property of the instance rather than the instance itself. */
  private static final Set<String> PROPERTY_ERRORS =
      Set.of(
          "required",
          "dependentRequired",
          "dependencies",
          "additionalProperties",
          "unevaluatedProperties");

  private static final Set<String> REFERENCE_KEYWORDS = Set.of("$ref", "$dynamicRef");

  private final JsonSchemaFactory factory =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  /** Keywords whose values are data, not schemas: a "pattern" in there is no pattern. */
  private static final Set<String> DATA_KEYWORDS = Set.of("const", "enum", "default", "examples");

  // Parameters are data from callers: "format" is asserted (a "date" must be a date). Patterns
  // run in linear time (LinearPatterns), never on the JDK's backtracking engine.
  private final SchemaValidatorsConfig config =
      SchemaValidatorsConfig.builder()
          .pathType(PathType.JSON_POINTER)
          .formatAssertionsEnabled(true)
          .regularExpressionFactory(LinearPatterns.INSTANCE)
          .build();
  private final JsonSchema metaSchema =
      factory.getSchema(
          SchemaLocation.of(DIALECT),
          SchemaValidatorsConfig.builder()
              .pathType(PathType.JSON_POINTER)
              .regularExpressionFactory(LinearPatterns.INSTANCE)
              .build());
  private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();

  /** A stored version's schema, compiled, and whether validating against it runs patterns. */
  private record Compiled(JsonSchema schema, boolean runsPatterns) {}

  /**
   * What is wrong with a parameters schema, each error's field prefixed with {@code prefix} (the
   * schema's own pointer in the pipeline document); empty when the schema is usable.
   */
  public List<FieldError> checkSchema(JsonNode schema, String prefix) {
    List<FieldError> errors = new ArrayList<>();
    if (!schema.isObject()) {
      errors.add(new FieldError(prefix, "must be a JSON Schema object"));
      return errors;
    }
    localReferencesOnly(schema, prefix, errors);
    linearPatternsOnly(schema, prefix, errors);
    if (!errors.isEmpty()) {
      return errors;
    }
    for (ValidationMessage m : sorted(metaSchema.validate(schema))) {
      errors.add(new FieldError(prefix + pointer(m), message(m)));
    }
    if (errors.isEmpty()) {
      try {
        factory.getSchema(schema, config).initializeValidators();
      } catch (RuntimeException e) {
        errors.add(new FieldError(prefix, "not a usable JSON Schema: " + e.getMessage()));
      }
    }
    return errors;
  }

  /**
   * Violations of {@code parameters} against {@code schema}, each field prefixed with {@code
   * prefix}. {@code cacheKey} names the schema's version (schemas of stored versions never change).
   */
  public List<FieldError> violations(
      String cacheKey, JsonNode schema, JsonNode parameters, String prefix) {
    List<FieldError> errors = new ArrayList<>();
    Set<ValidationMessage> messages;
    try {
      messages = compile(cacheKey, schema).schema().validate(parameters);
    } catch (com.networknt.schema.JsonSchemaException | IllegalArgumentException e) {
      // A version stored before patterns ran on RE2 may hold one that RE2 cannot run.
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      throw ProblemException.conflict(
          "this pipeline version's parameter schema cannot be used ("
              + cause.getMessage()
              + "); store a new version");
    }
    for (ValidationMessage m : sorted(messages)) {
      errors.add(new FieldError(prefix + pointer(m), message(m)));
    }
    return errors;
  }

  /**
   * Whether validating against this schema runs regular expressions: worth doing off the event
   * loop, since even a linear-time match costs in proportion to a parameter's length.
   */
  public boolean runsPatterns(String cacheKey, JsonNode schema) {
    return compile(cacheKey, schema).runsPatterns();
  }

  private Compiled compile(String cacheKey, JsonNode schema) {
    Compiled known = compiled.get(cacheKey);
    if (known == null) {
      if (compiled.size() >= MAX_CACHED) {
        compiled.clear();
      }
      // Conservative: any mention counts (a property named "pattern" only costs a thread hop).
      String text = schema.toString();
      boolean runsPatterns =
          text.contains("\"pattern\"")
              || text.contains("\"patternProperties\"")
              || text.contains("\"regex\"");
      known = new Compiled(factory.getSchema(schema, config), runsPatterns);
      compiled.put(cacheKey, known);
    }
    return known;
  }

  /** Refuses patterns that do not run in linear time or are too large ({@link LinearPatterns}). */
  private static void linearPatternsOnly(JsonNode schema, String prefix, List<FieldError> errors) {
    patterns(
        schema,
        prefix,
        (path, regex) ->
            LinearPatterns.refusal(regex)
                .ifPresent(reason -> errors.add(new FieldError(path, reason))));
  }

  /** Every regular expression a schema declares, with its pointer. */
  private static void patterns(
      JsonNode node, String path, java.util.function.BiConsumer<String, String> found) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String key = field.getKey();
        String child = path + "/" + FieldErrors.token(key);
        JsonNode value = field.getValue();
        if (key.equals("pattern") && value.isTextual()) {
          found.accept(child, value.asText());
        } else if (key.equals("patternProperties") && value.isObject()) {
          value
              .fieldNames()
              .forEachRemaining(
                  regex -> found.accept(child + "/" + FieldErrors.token(regex), regex));
          patterns(value, child, found);
        } else if (!DATA_KEYWORDS.contains(key)) {
          patterns(value, child, found);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        patterns(node.get(i), path + "/" + i, found);
      }
    }
  }

  /** The instance pointer a message is about; for a missing or extra property, that property. */
  static String pointer(ValidationMessage m) {
    StringBuilder pointer = new StringBuilder();
    JsonNodePath location = m.getInstanceLocation();
    for (int i = 0; location != null && i < location.getNameCount(); i++) {
      pointer.append('/').append(FieldErrors.token(String.valueOf(location.getElement(i))));
    }
    if (m.getProperty() != null && PROPERTY_ERRORS.contains(m.getType())) {
      pointer.append('/').append(FieldErrors.token(m.getProperty()));
    }
    return pointer.toString();
  }

  private static String message(ValidationMessage m) {
    String error = m.getError();
    return error != null ? error : m.getMessage();
  }

  private static List<ValidationMessage> sorted(Set<ValidationMessage> messages) {
    return messages.stream()
        .sorted(Comparator.comparing(ParameterSchemas::pointer).thenComparing(m -> m.getMessage()))
        .toList();
  }

  /**
   * Refuses references (and dialects) that would make the validator load documents from elsewhere.
   */
  private static void localReferencesOnly(JsonNode node, String path, List<FieldError> errors) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String child = path + "/" + FieldErrors.token(field.getKey());
        JsonNode value = field.getValue();
        if (REFERENCE_KEYWORDS.contains(field.getKey())
            && value.isTextual()
            && !value.asText().startsWith("#")) {
          errors.add(new FieldError(child, "only local references (#...) are allowed"));
        } else if (field.getKey().equals("$schema") && value.isTextual()) {
          if (!DIALECT.equals(value.asText())) {
            errors.add(new FieldError(child, "only draft 2020-12 (" + DIALECT + ") is supported"));
          }
        } else {
          localReferencesOnly(value, child, errors);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        localReferencesOnly(node.get(i), path + "/" + i, errors);
      }
    }
  }
}
