package dev.conductor.broker.policyconfig;

import dev.conductor.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Map;
import java.util.TreeMap;

/** The broker's config sections by name, workspace and global ones apart. */
@ApplicationScoped
public class ConfigSections {
  private final Map<String, ConfigSection> workspace = new TreeMap<>();
  private final Map<String, ConfigSection> global = new TreeMap<>();

  public ConfigSections(Instance<ConfigSection> sections) {
    for (ConfigSection s : sections) {
      (s.global() ? global : workspace).put(s.name(), s);
    }
  }

  /**
   * @throws ProblemException 404 naming the sections that exist
   */
  public ConfigSection workspace(String name) {
    return find(workspace, name, "workspace");
  }

  /**
   * @throws ProblemException 404 naming the sections that exist
   */
  public ConfigSection global(String name) {
    return find(global, name, "global");
  }

  private static ConfigSection find(Map<String, ConfigSection> in, String name, String kind) {
    ConfigSection s = in.get(name);
    if (s == null) {
      throw new ProblemException(
          404,
          "Not found",
          "the identity broker has no "
              + kind
              + " config section "
              + name
              + "; its "
              + kind
              + " sections are: "
              + String.join(", ", in.keySet()));
    }
    return s;
  }
}
