package dev.conductor.embedded;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code --name value} arguments of {@link KafkaMain} and {@link PostgresMain}. */
final class MainArgs {
  private final Map<String, String> values = new HashMap<>();

  MainArgs(String[] args, String... allowed) {
    List<String> known = Arrays.asList(allowed);
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (!name.startsWith("--") || !known.contains(name.substring(2)) || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "usage: " + String.join(" ", known.stream().map(k -> "--" + k + " V").toList()));
      }
      values.put(name.substring(2), args[++i]);
    }
  }

  int port() {
    return Integer.parseInt(values.getOrDefault("port", "0"));
  }

  /** The data directory, or {@code null} for a temp one. */
  Path dir() {
    String dir = values.get("dir");
    return dir == null || dir.isBlank() ? null : Path.of(dir);
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }
}
