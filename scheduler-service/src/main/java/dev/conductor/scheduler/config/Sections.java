package dev.conductor.scheduler.config;

import dev.conductor.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** The scheduler's global sections by name (every {@link GlobalSection} bean). */
@ApplicationScoped
public class Sections {
  private final Map<String, GlobalSection> byName = new TreeMap<>();

  public Sections(Instance<GlobalSection> sections) {
    sections.forEach(s -> byName.put(s.name(), s));
  }

  /**
   * @throws ProblemException 404 naming the sections that exist
   */
  public GlobalSection require(String name) {
    GlobalSection section = byName.get(name);
    if (section == null) {
      throw new ProblemException(
          404,
          "Not found",
          "config section " + name + " does not exist; the sections are " + byName.keySet());
    }
    return section;
  }

  public Collection<GlobalSection> all() {
    return byName.values();
  }
}
