package dev.conductor.trigger.pipeline;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The regular expressions of parameter schemas ({@code pattern}, {@code patternProperties}, {@code
 * format: regex}) run on RE2/J: time linear in the input, whatever the pattern, so a pipeline
 * author cannot write one that stalls the service (ReDoS; the JDK's engine backtracks). RE2 has no
 * backreferences or lookaround; a pattern that uses them is refused when the pipeline is stored.
 * Its size is bounded too: at most {@value #MAX_LENGTH} characters, and at most {@value
 * #MAX_EXPANSION} atoms once counted repetitions are expanded ({@code (a{100}){100}} is 10,000), as
 * the work per input character grows with that.
 */
public final class LinearPatterns implements RegularExpressionFactory {
  public static final LinearPatterns INSTANCE = new LinearPatterns();
  static final int MAX_LENGTH = 1_000;
  static final int MAX_EXPANSION = 2_000;

  private LinearPatterns() {}

  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern pattern = compile(regex);
    // JSON Schema patterns are not anchored: they match anywhere in the string (ECMA-262 test()).
    return value -> pattern.matcher(value).find();
  }

  /** Why {@code regex} cannot be used, in words for the pipeline's author; empty when it can. */
  public static Optional<String> refusal(String regex) {
    try {
      compile(regex);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The compiled pattern, once its size is known to be bounded; else why not. */
  private static Pattern compile(String regex) {
    if (regex.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "a pattern may have at most " + MAX_LENGTH + " characters");
    }
    if (regex.contains("\\Q")) {
      // RE2's literal quoting hides brackets and parentheses from the size bound below, and
      // JSON Schema patterns (ECMA-262) have no \Q...\E anyway.
      throw new IllegalArgumentException(
          "\\Q...\\E quoting is not part of JSON Schema patterns (ECMA-262)");
    }
    long expansion = expansion(regex);
    if (expansion > MAX_EXPANSION) {
      throw new IllegalArgumentException(
          "the pattern's counted repetitions expand to "
              + (expansion == Long.MAX_VALUE ? "too many" : String.valueOf(expansion))
              + " atoms; at most "
              + MAX_EXPANSION);
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "not a pattern this service runs (linear-time RE2 syntax: no backreferences or"
              + " lookaround): "
              + e.getMessage());
    }
  }

  /**
   * The number of atoms once each counted repetition ({@code {n}}, {@code {n,m}}, {@code {n,}})
   * repeats what it follows, nested groups multiplying: a bound on the size of the compiled
   * program. Escapes and character classes count as one atom; {@code *}, {@code +} and {@code ?}
   * add nothing. It never counts less than RE2 compiles: where it reads differently (POSIX classes,
   * named groups, {@code \p{…}}) it counts more. {@code \Q…\E}, which could hide structure from it,
   * is refused before.
   */
  static long expansion(String regex) {
    Deque<long[]> groups = new ArrayDeque<>(); // per open group: {size so far}
    long size = 0;
    long last = 0; // the size of the atom or group a repetition would apply to
    int i = 0;
    while (i < regex.length()) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i = Math.min(regex.length(), i + 2);
        last = 1;
        size = add(size, 1);
      } else if (c == '[') {
        i = classEnd(regex, i);
        last = 1;
        size = add(size, 1);
      } else if (c == '(') {
        groups.push(new long[] {size});
        size = 0;
        last = 0;
        i++;
      } else if (c == ')') {
        long inner = size;
        size = groups.isEmpty() ? inner : add(groups.pop()[0], inner);
        last = inner;
        i++;
      } else if (c == '{' && repeat(regex, i) != null) {
        long[] counts = repeat(regex, i);
        long times = Math.max(counts[0], counts[1]);
        size = add(size, multiply(last, times - 1));
        last = multiply(last, times);
        i = (int) counts[2];
      } else {
        if (c != '*' && c != '+' && c != '?' && c != '|') {
          last = 1;
          size = add(size, 1);
        }
        i++;
      }
    }
    while (!groups.isEmpty()) {
      size = add(groups.pop()[0], size);
    }
    return size;
  }

  /**
   * {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code at}: {n, m or n, index after}; else null.
   */
  private static long[] repeat(String regex, int at) {
    int close = regex.indexOf('}', at);
    if (close < 0) {
      return null;
    }
    String body = regex.substring(at + 1, close);
    if (!body.matches("\\d{1,6}(,\\d{0,6})?")) {
      return null;
    }
    String[] parts = body.split(",", -1);
    long n = Long.parseLong(parts[0]);
    long m = parts.length == 1 || parts[1].isEmpty() ? n : Long.parseLong(parts[1]);
    return new long[] {n, m, close + 1};
  }

  /** The index after the character class that starts at {@code at}. */
  private static int classEnd(String regex, int at) {
    int i = at + 1;
    if (i < regex.length() && regex.charAt(i) == '^') {
      i++;
    }
    if (i < regex.length() && regex.charAt(i) == ']') {
      i++;
    }
    while (i < regex.length() && regex.charAt(i) != ']') {
      i += regex.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(regex.length(), i + 1);
  }

  private static long add(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static long multiply(long a, long b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }
}
