package dev.conductor.trigger.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.problem.ProblemType;
import org.junit.jupiter.api.Test;

class ParameterSchemasTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A version stored before patterns ran on RE2 may hold a lookahead: its runs are refused with a
   * conflict that says to store a new version, not a 500.
   */
  @Test
  void aStoredPatternRe2CannotRunIsAConflictNotAnError() throws Exception {
    JsonNode schema =
        JSON.readTree(
            "{\"properties\": {\"x\": {\"type\": \"string\", \"pattern\": \"^(?=a)a$\"}}}");
    assertThatThrownBy(
            () ->
                new ParameterSchemas()
                    .violations("ws/p@1", schema, JSON.readTree("{\"x\": \"a\"}"), "/parameters"))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> {
              assertThat(e.type()).isEqualTo(ProblemType.CONFLICT);
              assertThat(e.getMessage()).contains("store a new version");
            });
  }

  @Test
  void aSchemaThatMentionsAPatternAnywhereIsValidatedOffTheEventLoop() throws Exception {
    ParameterSchemas schemas = new ParameterSchemas();
    // "default" as a property name, not the keyword: its pattern runs all the same.
    JsonNode named =
        JSON.readTree(
            "{\"properties\": {\"default\": {\"type\": \"string\", \"pattern\": \"a+\"}}}");
    assertThat(schemas.runsPatterns("ws/p@1", named)).isTrue();
    assertThat(schemas.runsPatterns("ws/q@1", JSON.readTree("{\"type\": \"object\"}"))).isFalse();
  }
}
