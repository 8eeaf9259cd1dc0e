package dev.conductor.scheduler.dispatch;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The drains one poll's events ask for, done once per pool at the end of the poll's transaction. A
 * drain locks the pool and reads its usage and waiting attempts; done per event, a poll of a
 * hundred run requests read the same queue a hundred times under the same lock.
 */
public final class Drains {
  private final Map<String, Cause> firstByPool = new LinkedHashMap<>();
  private final Map<String, Cause> latestByRun = new HashMap<>();

  void request(String pool, Cause cause) {
    firstByPool.putIfAbsent(pool, cause);
    if (cause.runId() != null) {
      latestByRun.put(cause.runId(), cause);
    }
  }

  /** Drains each pool asked for once; a grant's cause is its own run's event where there is one. */
  public Uni<Void> run(SqlConnection tx, Dispatcher dispatcher) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Map.Entry<String, Cause> pool : firstByPool.entrySet()) {
      chain =
          chain.chain(
              () ->
                  dispatcher.drainNow(
                      tx,
                      pool.getKey(),
                      runId -> latestByRun.getOrDefault(runId, pool.getValue().now())));
    }
    return chain;
  }
}
