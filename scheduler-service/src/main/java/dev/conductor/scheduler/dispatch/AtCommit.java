package dev.conductor.scheduler.dispatch;

import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.PollHandler;
import dev.conductor.scheduler.slot.SlotLedger;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What the events of one transaction leave for just before its commit: first the slots their
 * attempts gave back, on each executor's counter, then one drain per pool they ask for.
 *
 * <p>Why at the end: a drain locks the pool and reads its usage and waiting attempts; done per
 * event, a poll of a hundred run requests read the same queue a hundred times under the same lock.
 * And an executor's counter row is the one row every claim of that executor updates: taken per
 * event, a poll of outcomes would hold it for its whole transaction while it goes on to lock other
 * attempts, leases and runs, which is how a claim and a poll deadlocked. Taken last (in a fixed
 * order) it is held only for the commit. The lock order is thus: attempt, slot lease, run,
 * executor, pool.
 */
public final class AtCommit {
  private final Dispatcher dispatcher;
  private final SlotLedger ledger;
  private final Map<String, Cause> firstByPool = new LinkedHashMap<>();
  private final Map<String, Cause> latestByRun = new HashMap<>();
  // Sorted by pool and executor: two transactions give back on several executors in one order.
  private final Map<SlotLedger.Holder, Integer> givenBack = new TreeMap<>();

  private AtCommit(Dispatcher dispatcher, SlotLedger ledger) {
    this.dispatcher = dispatcher;
    this.ledger = ledger;
  }

  /**
   * The handler of one poll in transaction {@code tx}: each event is applied with a cause that
   * defers its slot releases and drains, and they run once before the commit.
   */
  public static PollHandler perPoll(
      SqlConnection tx,
      Dispatcher dispatcher,
      SlotLedger ledger,
      BiFunction<Consumed, Cause, Uni<Void>> apply) {
    AtCommit end = new AtCommit(dispatcher, ledger);
    return PollHandler.of(
        consumed -> apply.apply(consumed, Cause.of(consumed, end)), () -> end.run(tx));
  }

  /** As {@link #perPoll} for a transaction that is not a poll (the sweeper): no event caused it. */
  public static Uni<Void> around(
      SqlConnection tx, Dispatcher dispatcher, SlotLedger ledger, Function<Cause, Uni<Void>> work) {
    AtCommit end = new AtCommit(dispatcher, ledger);
    return work.apply(Cause.deferredTo(end)).chain(() -> end.run(tx));
  }

  void drain(String pool, Cause cause) {
    firstByPool.putIfAbsent(pool, cause);
    if (cause.runId() != null) {
      latestByRun.put(cause.runId(), cause);
    }
  }

  /** The lease's slots go back to its executor's counter before the commit. */
  public void giveBack(SlotLedger.Lease lease) {
    givenBack.merge(lease.holder(), lease.slots(), Integer::sum);
  }

  /** Gives back, then drains each pool asked for once; a grant's cause is its own run's event. */
  private Uni<Void> run(SqlConnection tx) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Map.Entry<SlotLedger.Holder, Integer> back : givenBack.entrySet()) {
      chain = chain.chain(() -> ledger.giveBack(tx, back.getKey(), back.getValue()));
    }
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
