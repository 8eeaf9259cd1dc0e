package dev.conductor.platform.config;

import java.util.List;

/**
 * One entry of a configuration diff: an item of a section was added, removed or changed; for a
 * change, {@code details} names each JSON pointer that differs ({@code /slots: 2 -> 4}).
 */
public record ConfigChange(String op, String item, List<String> details) {
  public static final String ADD = "add";
  public static final String REMOVE = "remove";
  public static final String CHANGE = "change";

  public ConfigChange {
    details = details == null ? List.of() : List.copyOf(details);
  }

  public static ConfigChange added(String item) {
    return new ConfigChange(ADD, item, List.of());
  }

  public static ConfigChange removed(String item) {
    return new ConfigChange(REMOVE, item, List.of());
  }

  public static ConfigChange changed(String item, List<String> details) {
    return new ConfigChange(CHANGE, item, details);
  }
}
