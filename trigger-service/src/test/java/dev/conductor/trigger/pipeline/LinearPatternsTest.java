package dev.conductor.trigger.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LinearPatternsTest {
  @Test
  void everydayPatternsAreAcceptedAndSearchAnywhereInTheString() {
    for (String regex :
        new String[] {
          "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "^[a-z]{1,64}@[a-z.]{1,255}$", "\\d+", "(ab|cd)*", "^$"
        }) {
      assertThat(LinearPatterns.refusal(regex)).as(regex).isEmpty();
    }
    assertThat(LinearPatterns.INSTANCE.getRegularExpression("b+").matches("abbc")).isTrue();
    assertThat(LinearPatterns.INSTANCE.getRegularExpression("^b+$").matches("abbc")).isFalse();
  }

  /** {@code (a+)+$} takes a backtracking engine exponential time on "aaa…a!"; here it just ends. */
  @Test
  void aPatternThatBacktrackingEnginesChokeOnRunsThroughALongInput() {
    String input = "a".repeat(200_000) + "!";
    assertThat(LinearPatterns.INSTANCE.getRegularExpression("^(a+)+$").matches(input)).isFalse();
    assertThat(LinearPatterns.INSTANCE.getRegularExpression("^(a|a)*$").matches(input)).isFalse();
  }

  @Test
  void whatRe2CannotRunInLinearTimeIsRefusedWithAReason() {
    assertThat(LinearPatterns.refusal("^(a+)\\1$")).get().asString().contains("backreferences");
    assertThat(LinearPatterns.refusal("^(?=a)a$")).get().asString().contains("lookaround");
    assertThatThrownBy(() -> LinearPatterns.INSTANCE.getRegularExpression("(?<=a)b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void patternsThatCompileToHugeProgramsAreRefusedBeforeTheyAreCompiled() {
    assertThat(LinearPatterns.expansion("(a{100}){100}")).isEqualTo(10_000);
    assertThat(LinearPatterns.expansion("((a{100}){100}){100}")).isEqualTo(1_000_000);
    assertThat(LinearPatterns.expansion("[a-z]{1,64}@[a-z]{1,255}")).isEqualTo(64 + 1 + 255);
    assertThat(LinearPatterns.expansion("\\{3}x{2,}")).isEqualTo(1 + 1 + 1 + 2);
    assertThat(LinearPatterns.refusal("((a{100}){100}){100}")).get().asString().contains("atoms");
    // Quoting could hide the nesting from the bound (a class seen where RE2 sees a literal).
    assertThat(LinearPatterns.refusal("\\Q[\\E((a{1000}){1000}){1000}]"))
        .get()
        .asString()
        .contains("\\Q");
    assertThat(LinearPatterns.refusal("a".repeat(LinearPatterns.MAX_LENGTH + 1)))
        .get()
        .asString()
        .contains("at most " + LinearPatterns.MAX_LENGTH + " characters");
  }
}
