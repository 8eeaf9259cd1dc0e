package dev.conductor.scheduler.dispatch;

import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.PollHandler;
import dev.conductor.scheduler.slot.SlotLedger;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What the events of one transaction leave for just before its commit: first the slot leases of the
 * attempts that ended (one statement, locking them in attempt id order) and the slots back on each
 * executor's counter (in pool and executor order), then one drain per pool they ask for.
 *
 * <p>Why at the end: a drain locks the pool and reads its usage and waiting attempts; done per
 * event, a poll of a hundred run requests read the same queue a hundred times under the same lock.
 * And a claim gives back the slots of the attempts its executor says ended, locking their leases
 * and then the executor's counter, while a poll of outcomes releases the same leases: taken per
 * event, in poll order, with the counter held for the rest of the poll, the two deadlocked. Taken
 * last and in order, they are held only for the commit, and both sides lock leases in attempt id
 * order, then the counter. The lock order is thus: attempt, run, slot leases, executor, pool.
 */
public final class AtCommit {
  private final Dispatcher dispatcher;
  private final SlotLedger ledger;
  // Sorted: pools are locked in name order by every transaction (as SlotLedger.lockAllIfExist).
  private final Map<String, Cause> firstByPool = new TreeMap<>();
  private final Map<String, Cause> latestByRun = new HashMap<>();
  // Sorted: leases, then counters, are locked in one order by every transaction.
  private final Set<UUID> ended = new TreeSet<>();

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
    AtCommit end = forPoll(dispatcher, ledger);
    return PollHandler.of(
        consumed -> apply.apply(consumed, end.causeOf(consumed)), () -> end.run(tx));
  }

  /**
   * The deferred work of one poll, for a handler that applies some of its events together: give
   * each event {@link #causeOf} it, and call {@link #beforeCommit} last.
   */
  public static AtCommit forPoll(Dispatcher dispatcher, SlotLedger ledger) {
    return new AtCommit(dispatcher, ledger);
  }

  /** The cause of {@code consumed}'s effects, deferring its releases and drains to this commit. */
  public Cause causeOf(Consumed consumed) {
    return Cause.of(consumed, this);
  }

  /** Releases, then drains (see {@link #perPoll}). */
  public Uni<Void> beforeCommit(SqlConnection tx) {
    return run(tx);
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

  /** The attempt's lease ends, and its slots go back to its executor, before the commit. */
  public void release(UUID attemptId) {
    ended.add(attemptId);
  }

  /** Releases, then drains each pool asked for once; a grant's cause is its own run's event. */
  private Uni<Void> run(SqlConnection tx) {
    Uni<Void> chain =
        ended.isEmpty()
            ? Uni.createFrom().voidItem()
            : ledger.releaseAll(tx, List.copyOf(ended)).replaceWithVoid();
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
