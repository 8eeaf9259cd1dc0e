package dev.conductor.scheduler.slot;

import dev.conductor.scheduler.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Resource classes and what each costs in pool slots (section {@code resourceClasses}), held in
 * memory so run validation needs no query. The bean starts from the settings and follows the stored
 * section once loaded; {@link #snapshot} gives a fixed copy for work that must see one version.
 */
@ApplicationScoped
public class ResourceClasses {
  private record Snapshot(long version, Map<String, Integer> slots) {}

  private final AtomicReference<Snapshot> current;

  @Inject
  public ResourceClasses(Settings settings) {
    this(settings.resourceClasses());
  }

  /** For tests and tools: {@code name:slots} definitions. */
  public ResourceClasses(List<String> definitions) {
    this(0, parse(definitions));
  }

  private ResourceClasses(long version, Map<String, Integer> slots) {
    this.current = new AtomicReference<>(new Snapshot(version, Map.copyOf(slots)));
  }

  /** A fixed set of classes, e.g. just read from the database (version unknown: 0). */
  public static ResourceClasses of(Map<String, Integer> slots) {
    return new ResourceClasses(0, slots);
  }

  /** Parses {@code name:slots} definitions (the settings' form). */
  public static Map<String, Integer> parse(List<String> definitions) {
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
    return parsed;
  }

  /** The slot cost of a class, or empty when the class is unknown. */
  public Optional<Integer> slots(String resourceClass) {
    return Optional.ofNullable(
        resourceClass == null ? null : current.get().slots().get(resourceClass));
  }

  public Set<String> names() {
    return current.get().slots().keySet();
  }

  public long version() {
    return current.get().version();
  }

  /** A copy that no reload changes: validation and slot costs of one run use the same classes. */
  public ResourceClasses snapshot() {
    Snapshot s = current.get();
    return new ResourceClasses(s.version(), s.slots());
  }

  /** Takes the loaded classes unless a newer version is already held. */
  public void replace(long version, Map<String, Integer> slots) {
    Snapshot loaded = new Snapshot(version, Map.copyOf(slots));
    current.accumulateAndGet(
        loaded, (held, next) -> next.version() >= held.version() ? next : held);
  }
}
