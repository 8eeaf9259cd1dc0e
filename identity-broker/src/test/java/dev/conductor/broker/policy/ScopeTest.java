package dev.conductor.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScopeTest {
  @Test
  void rootCoversEverything() {
    assertThat(Scope.parse("/").covers(Scope.parse("/workspaces/demo/pipelines/x"))).isTrue();
    assertThat(Scope.parse("/").covers(Scope.ROOT)).isTrue();
  }

  @Test
  void coversBySegmentNotByCharacters() {
    Scope demo = Scope.parse("/workspaces/demo");
    assertThat(demo.covers(Scope.parse("/workspaces/demo"))).isTrue();
    assertThat(demo.covers(Scope.parse("/workspaces/demo/pipelines/x"))).isTrue();
    assertThat(demo.covers(Scope.parse("/workspaces/demo2"))).isFalse();
    assertThat(demo.covers(Scope.parse("/workspaces"))).isFalse();
  }

  @Test
  void trailingSlashIsIgnored() {
    assertThat(Scope.parse("/workspaces/demo/")).isEqualTo(Scope.parse("/workspaces/demo"));
    assertThat(Scope.parse("/workspaces/demo/").toString()).isEqualTo("/workspaces/demo");
  }

  @Test
  void rejectsRelativeEmptyAndDotSegments() {
    assertThatThrownBy(() -> Scope.parse("workspaces/demo"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scope.parse("/workspaces//demo"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scope.parse("/workspaces/demo/../other"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scope.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesCannotSmuggleSlashes() {
    assertThat(Scope.of("workspaces", "demo", "pipelines", "x").toString())
        .isEqualTo("/workspaces/demo/pipelines/x");
    assertThatThrownBy(() -> Scope.of("workspaces", "other/pipelines/x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scope.of("workspaces", ".."))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
