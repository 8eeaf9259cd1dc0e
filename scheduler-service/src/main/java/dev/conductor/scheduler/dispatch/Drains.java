package dev.conductor.scheduler.dispatch;

import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.PollHandler;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The drains one poll's events ask for, done once per pool at the end of the poll's transaction. A
 * drain locks the pool and reads its usage and waiting attempts; done per event, a poll of a
 * hundred run requests read the same queue a hundred times under the same lock.
 */
public final class Drains {
  private final Map<String, Cause> firstByPool = new LinkedHashMap<>();
  private final Map<String, Cause> latestByRun = new HashMap<>();

  /**
   * The handler of one poll in transaction {@code tx}: each event is applied with a cause that
   * defers its drains, and the drains run once before the commit.
   */
  public static PollHandler perPoll(
      SqlConnection tx, Dispatcher dispatcher, BiFunction<Consumed, Cause, Uni<Void>> apply) {
    Drains drains = new Drains();
    return PollHandler.of(
        consumed -> apply.apply(consumed, Cause.of(consumed, drains)),
        () -> drains.run(tx, dispatcher));
  }

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
