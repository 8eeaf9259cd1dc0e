package dev.conductor.platform.config;

import java.util.List;

/**
 * What {@code PUT .../config/{section}[?dryRun=true]} answers (DESIGN §7): the changes the document
 * makes to the section in force, and the section's version after the call ({@code version} is the
 * version in force when nothing changed or on a dry run). {@code workspace} is null for global
 * sections.
 */
public record ConfigDiff(
    String section,
    String workspace,
    boolean dryRun,
    boolean changed,
    String version,
    List<ConfigChange> changes) {
  public ConfigDiff {
    changes = List.copyOf(changes);
  }

  /** The answer for {@code changes}; {@code changed} is true when there are any. */
  public static ConfigDiff of(
      String section,
      String workspace,
      boolean dryRun,
      String version,
      List<ConfigChange> changes) {
    return new ConfigDiff(section, workspace, dryRun, !changes.isEmpty(), version, changes);
  }
}
