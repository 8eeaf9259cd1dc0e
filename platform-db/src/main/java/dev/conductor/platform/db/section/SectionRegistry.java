package dev.conductor.platform.db.section;

import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.problem.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** This service's sections (every {@link Section} bean) by scope and name. */
@ApplicationScoped
public class SectionRegistry {
  private final Map<SectionScope, Map<String, Section>> byScope = new EnumMap<>(SectionScope.class);
  private final String service;

  public SectionRegistry(
      Instance<Section> sections,
      @ConfigProperty(name = "quarkus.application.name") String service) {
    this.service = service;
    for (SectionScope scope : SectionScope.values()) {
      byScope.put(scope, new TreeMap<>());
    }
    for (Section section : sections) {
      Section before = byScope.get(section.scope()).put(section.name(), section);
      if (before != null) {
        throw new IllegalStateException("two sections named " + section.name());
      }
    }
  }

  /**
   * @throws ProblemException 404 naming the sections this service has: a workspace document's
   *     sections are spread over services
   */
  public Section require(SectionScope scope, String name) {
    Section section = byScope.get(scope).get(name);
    if (section == null) {
      throw new ProblemException(
          ProblemType.NOT_FOUND,
          "no "
              + scope.name().toLowerCase()
              + " configuration section '"
              + name
              + "' in "
              + service
              + "; its "
              + scope.name().toLowerCase()
              + " sections: "
              + byScope.get(scope).keySet());
    }
    return section;
  }

  public Collection<Section> all(SectionScope scope) {
    return byScope.get(scope).values();
  }
}
