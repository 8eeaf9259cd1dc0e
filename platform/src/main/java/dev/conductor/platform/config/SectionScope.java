package dev.conductor.platform.config;

import java.util.regex.Pattern;

/**
 * Where a configuration section lives (DESIGN §7): {@code GLOBAL} at {@code /api/v1/config/{name}},
 * {@code WORKSPACE} once per workspace at {@code /api/v1/workspaces/{ws}/config/{name}}.
 */
public enum SectionScope {
  GLOBAL,
  WORKSPACE;

  /** Workspace names: they become access scopes ({@code /workspaces/<ws>}) and Kafka keys. */
  public static final Pattern WORKSPACE_NAME =
      Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

  /** The access scope a change of the section is checked against. */
  public String accessScope(String workspace) {
    return this == GLOBAL ? "/" : "/workspaces/" + workspace;
  }
}
