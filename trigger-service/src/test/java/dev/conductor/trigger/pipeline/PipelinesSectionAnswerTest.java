package dev.conductor.trigger.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.platform.config.ConfigChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The section PUT answers what its saves stored, not what it planned. */
class PipelinesSectionAnswerTest {
  private static final PipelinesSection.Plan PLAN =
      new PipelinesSection.Plan(
          List.of(
              ConfigChange.added("fresh"),
              ConfigChange.changed("etl", List.of("/description: \"a\" -> \"b\"")),
              ConfigChange.added("raced")),
          Map.of("etl", 3));

  @Test
  void aPlannedChangeThatWasNotStoredIsNotClaimed() {
    List<ConfigChange> stored =
        PipelinesSection.stored(
            PLAN,
            Map.of(
                "fresh", new Pipelines.Saved(1, 0, true),
                "etl", new Pipelines.Saved(3, 3, false),
                "raced", new Pipelines.Saved(1, 1, false)));
    assertThat(stored).containsExactly(ConfigChange.added("fresh"));
  }

  @Test
  void theVersionsNamedAreTheOnesStored() {
    List<ConfigChange> stored =
        PipelinesSection.stored(
            PLAN,
            Map.of(
                "fresh", new Pipelines.Saved(1, 0, true),
                "etl", new Pipelines.Saved(5, 4, true),
                "raced", new Pipelines.Saved(2, 1, true)));
    assertThat(stored)
        .containsExactly(
            ConfigChange.added("fresh"),
            ConfigChange.changed("etl", List.of("/description: \"a\" -> \"b\"", "version 4 -> 5")),
            ConfigChange.changed("raced", List.of("version 1 -> 2")));
  }

  @Test
  void withoutRacesTheAnswerIsThePlan() {
    List<ConfigChange> stored =
        PipelinesSection.stored(
            PLAN,
            Map.of(
                "fresh", new Pipelines.Saved(1, 0, true),
                "etl", new Pipelines.Saved(4, 3, true),
                "raced", new Pipelines.Saved(1, 0, true)));
    assertThat(stored).isEqualTo(PLAN.changes());
  }
}
