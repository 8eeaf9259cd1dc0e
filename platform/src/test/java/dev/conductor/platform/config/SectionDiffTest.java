package dev.conductor.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SectionDiffTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static Map<String, JsonNode> section(String... nameAndJson) {
    Map<String, JsonNode> map = new LinkedHashMap<>();
    for (int i = 0; i < nameAndJson.length; i += 2) {
      map.put(nameAndJson[i], json(nameAndJson[i + 1]));
    }
    return map;
  }

  @Test
  void namesAddedRemovedAndChangedItemsInNameOrder() {
    List<ConfigChange> changes =
        SectionDiff.of(
            section("prod", "{\"paused\":false}", "dev", "{\"paused\":false}"),
            section("dev", "{\"paused\":true}", "test", "{\"paused\":false}"));

    assertThat(changes)
        .containsExactly(
            ConfigChange.changed("dev", List.of("/paused: false -> true")),
            ConfigChange.removed("prod"),
            ConfigChange.added("test"));
  }

  @Test
  void equalSectionsHaveNoChangesAndNumbersCompareByValue() {
    assertThat(
            SectionDiff.of(
                section("smallrc", "1", "x", "{\"a\":[1,{\"b\":2}]}"),
                section("smallrc", "1.0", "x", "{\"a\":[1,{\"b\":2.0}]}")))
        .isEmpty();
  }

  @Test
  void pointersNameNestedFieldsEscapedAndMissingOnes() {
    assertThat(SectionDiff.pointers(json("{\"t\":{\"a/b\":1}}"), json("{\"t\":{},\"u\":[1]}")))
        .containsExactly("/t/a~1b: 1 -> (none)", "/u: (none) -> [1]");
    assertThat(SectionDiff.pointers(json("[1,2]"), json("[2,1]")))
        .containsExactly("/: [1,2] -> [2,1]");
  }

  @Test
  void answerIsChangedOnlyWhenThereAreChanges() {
    assertThat(ConfigDiff.of("pools", null, true, "3", List.of()).changed()).isFalse();
    assertThat(
            ConfigDiff.of("pools", null, false, "4", List.of(ConfigChange.added("dev"))).changed())
        .isTrue();
  }
}
