package dev.conductor.broker.policy;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A resource scope such as {@code /workspaces/demo/pipelines/etl}: {@code /} is the root, and a
 * scope covers itself and every scope below it, segment by segment (so {@code /workspaces/demo}
 * does not cover {@code /workspaces/demo2}).
 */
public record Scope(List<String> segments) {
  public static final Scope ROOT = new Scope(List.of());
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~:@+-]+");

  public Scope {
    segments = List.copyOf(segments);
  }

  /**
   * Parses a scope; a trailing slash is ignored.
   *
   * @throws IllegalArgumentException when it does not start with {@code /} or has an empty, dot or
   *     otherwise unusable segment
   */
  public static Scope parse(String text) {
    if (text == null || !text.startsWith("/")) {
      throw new IllegalArgumentException("a scope starts with /");
    }
    String body =
        text.length() > 1 && text.endsWith("/")
            ? text.substring(1, text.length() - 1)
            : text.substring(1);
    if (body.isEmpty()) {
      return ROOT;
    }
    List<String> parts = Arrays.asList(body.split("/", -1));
    for (String part : parts) {
      // Dot segments would let "/workspaces/a/../b" pass a prefix test meant for /workspaces/a.
      if (part.equals(".") || part.equals("..") || !SEGMENT.matcher(part).matches()) {
        throw new IllegalArgumentException("scope segment '" + part + "' is not allowed");
      }
    }
    return new Scope(parts);
  }

  /**
   * A scope built from names (workspace, pipeline, identity): each must be one valid segment, so a
   * name holding {@code /} cannot move the scope into another subtree.
   *
   * @throws IllegalArgumentException naming the first bad segment
   */
  public static Scope of(String... segments) {
    for (String part : segments) {
      if (part == null
          || part.equals(".")
          || part.equals("..")
          || !SEGMENT.matcher(part).matches()) {
        throw new IllegalArgumentException("'" + part + "' is not a valid scope segment");
      }
    }
    return new Scope(List.of(segments));
  }

  /** True when {@code other} is this scope or lies below it. */
  public boolean covers(Scope other) {
    return other.segments.size() >= segments.size()
        && other.segments.subList(0, segments.size()).equals(segments);
  }

  @Override
  public String toString() {
    return "/" + String.join("/", segments);
  }
}
