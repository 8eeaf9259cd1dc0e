package dev.conductor.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.events.data.StepGraph;
import dev.conductor.events.data.StepSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepGraphTest {
  private static StepSpec step(String name, String... dependsOn) {
    return new StepSpec(name, List.of(dependsOn), "noop", null, "smallrc", 0, 0, List.of());
  }

  @Test
  void aDagHasNoCycle() {
    assertThat(
            StepGraph.firstCycle(
                List.of(step("a"), step("b", "a"), step("c", "a"), step("d", "b", "c"))))
        .isEmpty();
  }

  @Test
  void theCycleIsNamedAtTheDependencyThatClosesIt() {
    StepGraph.Cycle cycle =
        StepGraph.firstCycle(
                List.of(step("a"), step("b", "a", "d"), step("c", "b"), step("d", "c")))
            .orElseThrow();
    assertThat(cycle.loop()).containsExactly("b", "d", "c", "b");
    assertThat(cycle.step()).isEqualTo(2);
    assertThat(cycle.dependency()).isEqualTo(0);
    assertThat(cycle.describe()).isEqualTo("dependency cycle: b -> d -> c -> b");
  }

  @Test
  void aStepThatDependsOnItselfIsACycle() {
    assertThat(StepGraph.firstCycle(List.of(step("a", "a"))).orElseThrow().loop())
        .containsExactly("a", "a");
  }

  @Test
  void unknownDependenciesAreLeftToTheirOwnCheck() {
    assertThat(StepGraph.firstCycle(List.of(step("a", "x"), step("b", "a")))).isEmpty();
  }
}
