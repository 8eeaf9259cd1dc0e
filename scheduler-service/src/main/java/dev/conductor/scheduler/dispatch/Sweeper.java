package dev.conductor.scheduler.dispatch;

import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.timer.Periodic;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.attempt.AttemptStore;
import dev.conductor.scheduler.attempt.Outcomes;
import dev.conductor.scheduler.attempt.ReadHorizon;
import dev.conductor.scheduler.slot.SlotLedger;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Once a second: declares attempts lost whose lease passed, puts dispatches nobody claimed within
 * the claim window back in the queue, and drains every pool with waiting attempts, because capacity
 * also grows and shrinks without an event (executor leases) and a refused claim puts its attempt
 * back without draining. Safe with several instances: each loss is a guarded update and each drain
 * holds the pool lock. Each item is its own transaction, so one failure does not block the rest.
 */
@ApplicationScoped
public class Sweeper {
  private static final Logger LOG = Logger.getLogger(Sweeper.class);
  private static final int BATCH = 100;

  private final Transactions transactions;
  private final AttemptStore attempts;
  private final Outcomes outcomes;
  private final Dispatcher dispatcher;
  private final SlotLedger ledger;
  private final ReadHorizon horizon;
  private final Clock clock;
  private final long intervalMillis;
  private final Periodic periodic;

  public Sweeper(
      Vertx vertx,
      Transactions transactions,
      AttemptStore attempts,
      Outcomes outcomes,
      Dispatcher dispatcher,
      SlotLedger ledger,
      ReadHorizon horizon,
      Clock clock,
      Settings settings) {
    this.transactions = transactions;
    this.attempts = attempts;
    this.outcomes = outcomes;
    this.dispatcher = dispatcher;
    this.ledger = ledger;
    this.horizon = horizon;
    this.clock = clock;
    this.intervalMillis = settings.sweepInterval().toMillis();
    this.periodic = new Periodic(vertx, this::sweep, "sweep failed", LOG);
  }

  void start(@Observes StartupEvent event) {
    periodic.start(java.time.Duration.ofMillis(intervalMillis));
  }

  void stop(@Observes ShutdownEvent event) {
    periodic.stop();
  }

  /** One pass: expire leases and requeue first, so what they free is dispatched by the drains. */
  public Uni<Void> sweep() {
    return expireLeases().chain(this::requeueUnclaimed).chain(this::redispatch);
  }

  private Uni<Void> requeueUnclaimed() {
    return transactions
        .run(tx -> attempts.requeueUnclaimed(tx, clock.instant(), BATCH))
        .invoke(
            requeued ->
                requeued.forEach(
                    a ->
                        LOG.infof(
                            "attempt %s of run %s: dispatch %d was not claimed in time; back to"
                                + " the queue",
                            a.id(), a.runId(), a.dispatch())))
        .onFailure()
        .recoverWithItem(
            e -> {
              LOG.warnf("cannot requeue unclaimed attempts: %s", e.getMessage());
              return null;
            })
        .replaceWithVoid();
  }

  private Uni<Void> expireLeases() {
    return attempts
        .expired(transactions.pool(), horizon.horizon(), BATCH)
        .onItem()
        .transformToMulti(ids -> Multi.createFrom().iterable(ids))
        .onItem()
        .transformToUniAndConcatenate(
            id ->
                transactions
                    .run(
                        tx ->
                            AtCommit.around(
                                tx,
                                dispatcher,
                                ledger,
                                cause -> outcomes.expire(tx, cause, id, horizon.horizon())))
                    .onFailure()
                    .recoverWithItem(
                        e -> {
                          LOG.warnf("cannot expire attempt %s: %s", id, e.getMessage());
                          return null;
                        }))
        .collect()
        .last()
        .replaceWithVoid();
  }

  private Uni<Void> redispatch() {
    return attempts
        .poolsWithWaiting(transactions.pool())
        .onItem()
        .transformToMulti(pools -> Multi.createFrom().iterable(pools))
        .onItem()
        .transformToUniAndConcatenate(
            pool ->
                transactions
                    .run(tx -> dispatcher.drain(tx, pool, Cause.none()))
                    .onFailure()
                    .recoverWithItem(
                        e -> {
                          LOG.warnf("cannot dispatch pool %s: %s", pool, e.getMessage());
                          return null;
                        }))
        .collect()
        .last()
        .replaceWithVoid();
  }
}
