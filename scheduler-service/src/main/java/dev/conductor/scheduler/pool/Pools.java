package dev.conductor.scheduler.pool;

import dev.conductor.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The pools in force (section {@code pools}, retired ones left out), held in memory so that run
 * validation and REST checks need no query. Loaded at startup, after this instance's own changes
 * and whenever the poll sees a newer version.
 */
@ApplicationScoped
public class Pools {
  /** The section content at one version. */
  record Snapshot(long version, Map<String, PoolConfig> pools) {}

  private final AtomicReference<Snapshot> current =
      new AtomicReference<>(new Snapshot(0, Map.of()));

  public boolean known(String pool) {
    return pool != null && current.get().pools().containsKey(pool);
  }

  /**
   * @throws ProblemException 404 for a pool that is not in force
   */
  public void require(String pool) {
    if (!known(pool)) {
      throw ProblemException.notFound("pool " + pool);
    }
  }

  public Set<String> names() {
    return current.get().pools().keySet();
  }

  public boolean paused(String pool) {
    PoolConfig config = current.get().pools().get(pool);
    return config != null && config.paused();
  }

  public long version() {
    return current.get().version();
  }

  /**
   * Takes the loaded content unless a newer one is already held (loads may finish out of order).
   */
  public void replace(long version, Map<String, PoolConfig> pools) {
    Snapshot loaded = new Snapshot(version, Map.copyOf(pools));
    current.accumulateAndGet(
        loaded, (held, next) -> next.version() >= held.version() ? next : held);
  }
}
