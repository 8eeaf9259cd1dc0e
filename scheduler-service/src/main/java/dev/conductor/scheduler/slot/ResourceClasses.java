package dev.conductor.scheduler.slot;

import dev.conductor.scheduler.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Resource classes and what each costs in pool slots ({@code smallrc:1,mediumrc:2,...}). */
@ApplicationScoped
public class ResourceClasses {
  private final Map<String, Integer> slots;

  @Inject
  public ResourceClasses(Settings settings) {
    this(settings.resourceClasses());
  }

  /** For tests and tools: {@code name:slots} definitions. */
  public ResourceClasses(List<String> definitions) {
    Map<String, Integer> parsed = new LinkedHashMap<>();
    for (String definition : definitions) {
      String[] parts = definition.trim().split(":");
      if (parts.length != 2) {
        throw new IllegalArgumentException("resource class must be name:slots, not " + definition);
      }
      int cost = Integer.parseInt(parts[1].trim());
      if (cost < 1) {
        throw new IllegalArgumentException("resource class " + parts[0] + " must cost >= 1 slot");
      }
      parsed.put(parts[0].trim(), cost);
    }
    this.slots = Map.copyOf(parsed);
  }

  /** The slot cost of a class, or empty when the class is unknown. */
  public Optional<Integer> slots(String resourceClass) {
    return Optional.ofNullable(resourceClass == null ? null : slots.get(resourceClass));
  }

  public java.util.Set<String> names() {
    return slots.keySet();
  }
}
