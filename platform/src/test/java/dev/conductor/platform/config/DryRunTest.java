package dev.conductor.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conductor.platform.problem.ProblemException;
import org.junit.jupiter.api.Test;

class DryRunTest {
  @Test
  void onlyTrueIsADryRunAndAbsentIsARealPut() {
    assertThat(DryRun.parse("true")).isTrue();
    assertThat(DryRun.parse("false")).isFalse();
    assertThat(DryRun.parse(null)).isFalse();
  }

  @Test
  void anythingElseIsABadRequestNamingTheParameter() {
    for (String value : new String[] {"", "1", "yes", "TRUE", "0"}) {
      assertThatThrownBy(() -> DryRun.parse(value))
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> {
                assertThat(e.type())
                    .isEqualTo(dev.conductor.platform.problem.ProblemType.VALIDATION);
                assertThat(e.field()).isEqualTo("dryRun");
              });
    }
  }
}
