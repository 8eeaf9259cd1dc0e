package dev.conductor.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The schemas reject what consumers could not use and accept what they must tolerate. */
class SchemasTest {

  @Test
  void runRequestedWithoutRunIdIsNamed() {
    ObjectNode data = Samples.tree(EventType.RUN_REQUESTED);
    data.remove("runId");

    assertThat(Schemas.violations(EventType.RUN_REQUESTED, data))
        .hasSize(1)
        .allSatisfy(v -> assertThat(v).contains("required property 'runId'"));
  }

  @Test
  void jobScheduledWithoutAttemptIdIsNamed() {
    ObjectNode data = Samples.tree(EventType.JOB_SCHEDULED);
    data.remove("attemptId");

    assertThat(Schemas.violations(EventType.JOB_SCHEDULED, data))
        .hasSize(1)
        .allSatisfy(v -> assertThat(v).contains("required property 'attemptId'"));
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void everyRequiredFieldIsEnforcedAndPresentInTheSample(EventType type) throws IOException {
    JsonNode schema = schema(type);
    ArrayNode required = (ArrayNode) schema.path("required");
    assertThat(required).as(type.type() + " requires something").isNotEmpty();
    for (JsonNode field : required) {
      String name = field.asText();
      assertThat(schema.path("properties").has(name))
          .as(type.type() + " describes " + name)
          .isTrue();
      ObjectNode data = Samples.tree(type);
      assertThat(data.has(name)).as("sample of " + type.type() + " sets " + name).isTrue();
      data.remove(name);
      assertThat(Schemas.violations(type, data))
          .as(type.type() + " without " + name)
          .anySatisfy(v -> assertThat(v).contains("'" + name + "'"));
    }
  }

  @Test
  void emptyIdsAreRejected() {
    ObjectNode data = Samples.tree(EventType.JOB_AUTHORIZED);
    data.put("attemptId", "");

    assertThat(Schemas.violations(EventType.JOB_AUTHORIZED, data))
        .anySatisfy(v -> assertThat(v).startsWith("/attemptId:"));
  }

  @Test
  void effectIsAllowOrDeny() {
    ObjectNode data = Samples.tree(EventType.DECISION_RECORDED);
    data.put("effect", "deny");
    assertThat(Schemas.violations(EventType.DECISION_RECORDED, data)).isEmpty();

    data.put("effect", "maybe");
    assertThat(Schemas.violations(EventType.DECISION_RECORDED, data))
        .anySatisfy(v -> assertThat(v).startsWith("/effect:"));
  }

  @Test
  void numbersHaveTheirMinimum() {
    ObjectNode scheduled = Samples.tree(EventType.JOB_SCHEDULED);
    scheduled.put("attemptNumber", 0);
    scheduled.put("slots", 0);
    assertThat(Schemas.violations(EventType.JOB_SCHEDULED, scheduled))
        .anySatisfy(v -> assertThat(v).startsWith("/attemptNumber:"))
        .anySatisfy(v -> assertThat(v).startsWith("/slots:"));

    ObjectNode checkpoint = Samples.tree(EventType.AUDIT_CHECKPOINT);
    checkpoint.put("chain", -1);
    checkpoint.put("seq", 0);
    assertThat(Schemas.violations(EventType.AUDIT_CHECKPOINT, checkpoint))
        .anySatisfy(v -> assertThat(v).startsWith("/chain:"))
        .anySatisfy(v -> assertThat(v).startsWith("/seq:"));

    ObjectNode run = Samples.tree(EventType.RUN_REQUESTED);
    ((ObjectNode) run.path("snapshot").path("steps").get(0)).put("maxRetries", -1);
    assertThat(Schemas.violations(EventType.RUN_REQUESTED, run))
        .anySatisfy(v -> assertThat(v).contains("/snapshot/steps/0/maxRetries:"));
  }

  @Test
  void auditHashesAreLowercaseHex() {
    ObjectNode data = Samples.tree(EventType.AUDIT_RECORD);
    data.put("hash", Samples.HASH_A.toUpperCase());
    data.put("prevHash", Samples.HASH_A.substring(1));

    assertThat(Schemas.violations(EventType.AUDIT_RECORD, data))
        .anySatisfy(v -> assertThat(v).startsWith("/hash:"))
        .anySatisfy(v -> assertThat(v).startsWith("/prevHash:"));
  }

  @Test
  void timesAreIsoStrings() {
    ObjectNode data = Samples.tree(EventType.ATTEMPT_HEARTBEAT);
    data.put("at", 1_741_944_413_000L);
    assertThat(Schemas.violations(EventType.ATTEMPT_HEARTBEAT, data))
        .anySatisfy(v -> assertThat(v).startsWith("/at:"));

    data.put("at", "yesterday");
    assertThat(Schemas.violations(EventType.ATTEMPT_HEARTBEAT, data))
        .anySatisfy(v -> assertThat(v).startsWith("/at:"));

    data.put("at", "2025-03-14T09:26:53+01:00");
    assertThat(Schemas.violations(EventType.ATTEMPT_HEARTBEAT, data)).isEmpty();
  }

  @Test
  void credentialsAreACompactJwe() {
    ObjectNode data = Samples.tree(EventType.JOB_AUTHORIZED);
    data.put("credentials", "{\"password\": \"hunter2\"}");
    assertThat(Schemas.violations(EventType.JOB_AUTHORIZED, data))
        .anySatisfy(v -> assertThat(v).startsWith("/credentials:"));

    data.remove("credentials");
    assertThat(Schemas.violations(EventType.JOB_AUTHORIZED, data)).isEmpty();
  }

  @Test
  void auditTraceparentIsW3c() {
    ObjectNode data = Samples.tree(EventType.AUDIT_RECORD);
    data.put("traceparent", "4bf92f3577b34da6a3ce929d0e0e4736");

    assertThat(Schemas.violations(EventType.AUDIT_RECORD, data))
        .anySatisfy(v -> assertThat(v).startsWith("/traceparent:"));
  }

  @Test
  void sharedPartsAreCheckedInside() {
    ObjectNode data = Samples.tree(EventType.RUN_REQUESTED);
    ((ObjectNode) data.path("requester")).remove("issuer");
    ((ObjectNode) data.path("snapshot").path("steps").get(1)).remove("jobType");

    assertThat(Schemas.violations(EventType.RUN_REQUESTED, data))
        .anySatisfy(v -> assertThat(v).startsWith("/requester: required property 'issuer'"))
        .anySatisfy(v -> assertThat(v).contains("/snapshot/steps/1: required property 'jobType'"));
  }

  @Test
  void triggerRequestedNeedsOnlyWhereAndWhat() {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("workspace", "analytics").put("pipeline", "nightly-sales").put("environment", "dev");
    assertThat(Schemas.violations(EventType.TRIGGER_REQUESTED, data)).isEmpty();

    data.put("parameters", "date=2025-03-13");
    data.put("idempotencyKey", 42);
    assertThat(Schemas.violations(EventType.TRIGGER_REQUESTED, data))
        .anySatisfy(v -> assertThat(v).startsWith("/parameters:"))
        .anySatisfy(v -> assertThat(v).startsWith("/idempotencyKey:"));
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void unknownFieldsAreAllowedEverywhere(EventType type) {
    ObjectNode data = Samples.tree(type);
    data.put("addedInALaterVersion", "x");
    data.putObject("anotherOne").put("nested", true);

    assertThat(Schemas.violations(type, data)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void schemaIsDraft202012AndTopLevelIsOpen(EventType type) throws IOException {
    JsonNode schema = schema(type);

    assertThat(schema.path("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(schema.path("title").asText()).isEqualTo(type.type());
    assertThat(schema.path("type").asText()).isEqualTo("object");
    assertThat(schema.has("additionalProperties")).isFalse();
    // every data field is described, and nothing else
    assertThat(fieldNames(schema.path("properties")))
        .containsExactlyInAnyOrderElementsOf(
            List.of(type.dataClass().getRecordComponents()).stream()
                .map(RecordComponent::getName)
                .toList());
  }

  @Test
  void sharedDefinitionsAreIdenticalAcrossFiles() throws IOException {
    Map<String, JsonNode> first = new HashMap<>();
    Map<String, EventType> firstIn = new HashMap<>();
    for (EventType type : EventType.values()) {
      JsonNode defs = schema(type).path("$defs");
      for (String name : fieldNames(defs)) {
        JsonNode def = defs.get(name);
        JsonNode seen = first.putIfAbsent(name, def);
        firstIn.putIfAbsent(name, type);
        assertThat(def)
            .as("$defs/%s in %s and %s", name, type.shortName(), firstIn.get(name).shortName())
            .isEqualTo(seen == null ? def : seen);
      }
    }
    assertThat(first).containsKeys("Requester", "DataAccess", "StepSpec", "PipelineSnapshot");
  }

  static JsonNode schema(EventType type) throws IOException {
    try (InputStream in = SchemasTest.class.getResourceAsStream(type.schemaResource())) {
      assertThat(in).as(type.schemaResource()).isNotNull();
      return EventCodec.JSON.readTree(in);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
