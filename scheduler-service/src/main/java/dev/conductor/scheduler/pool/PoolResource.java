package dev.conductor.scheduler.pool;

import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.attempt.AttemptStore;
import dev.conductor.scheduler.dispatch.Cause;
import dev.conductor.scheduler.dispatch.Dispatcher;
import dev.conductor.scheduler.slot.SlotLedger;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;

/** Pool capacity: executors declare their slots; anyone allowed can read a pool's use. */
@Path("/api/v1/pools/{pool}")
@Produces(MediaType.APPLICATION_JSON)
public class PoolResource {
  /** An executor's declaration; renewed with its heartbeats. */
  public record Registration(Integer slots) {}

  public record Capacity(String pool, long capacity) {}

  /**
   * {@code used}: slots held by claimed and running attempts; {@code dispatched}: slots of attempts
   * on their way to an executor (no slot held yet); {@code paused}: the pool's configuration stops
   * dispatch and claims (section {@code pools}).
   */
  public record PoolView(
      String pool, long capacity, long used, long dispatched, long waiting, boolean paused) {}

  static final int MAX_SLOTS = 10_000;

  private final Access access;
  private final CurrentCaller current;
  private final Pools pools;
  private final Transactions transactions;
  private final SlotLedger ledger;
  private final Dispatcher dispatcher;
  private final AttemptStore attempts;
  private final Clock clock;
  private final int leaseSeconds;

  public PoolResource(
      Access access,
      CurrentCaller current,
      Pools pools,
      Transactions transactions,
      SlotLedger ledger,
      Dispatcher dispatcher,
      AttemptStore attempts,
      Clock clock,
      Settings settings) {
    this.access = access;
    this.current = current;
    this.pools = pools;
    this.transactions = transactions;
    this.ledger = ledger;
    this.dispatcher = dispatcher;
    this.attempts = attempts;
    this.clock = clock;
    this.leaseSeconds = (int) settings.executorLease().toSeconds();
  }

  /** Registers or renews an executor; waiting attempts get the capacity it brings at once. */
  @PUT
  @Path("/executors/{executorId}")
  public Uni<Capacity> register(
      @PathParam("pool") String pool,
      @PathParam("executorId") String executorId,
      Registration body) {
    Caller caller = current.get();
    return access
        .require(caller, "pool.register", "/pools/" + pool)
        .chain(
            allowed -> {
              int slots = validSlots(body);
              Instant now = clock.instant();
              // The executor row first, then the pool lock (the lock order of claims and
              // outcomes: executor row before pool row), and the pool row decides (not our copy of
              // the section): a retirement holds the pool lock while it checks for live executors,
              // so either it sees this registration committed and refuses, or this one finds the
              // pool retired and rolls back. The executor's foreign key alone (KEY SHARE) would not
              // wait for the retirement's FOR NO KEY UPDATE. A plain renewal of a live executor
              // skips the lock and the drain: its pool cannot have been retired while it was live,
              // and its capacity did not change (under load, renewals that queued for the pool
              // lock timed out, the registration lapsed, and claims were refused).
              return transactions.run(
                  tx ->
                      ledger
                          .register(tx, pool, executorId, slots, now.plusSeconds(leaseSeconds), now)
                          .chain(changed -> changed ? admit(tx, pool) : Uni.createFrom().voidItem())
                          .chain(() -> ledger.usage(tx, pool, now))
                          .map(usage -> new Capacity(pool, usage.capacity())));
            });
  }

  /** Refuses a pool without a row or retired (read under its lock), then drains it. */
  private Uni<Void> admit(SqlConnection tx, String pool) {
    return ledger
        .lockIfExists(tx, pool)
        .invoke(
            state -> {
              if (state.isEmpty() || state.get().retired()) {
                throw ProblemException.notFound("pool " + pool);
              }
            })
        .chain(() -> dispatcher.drain(tx, pool, Cause.none()));
  }

  @GET
  public Uni<PoolView> read(@PathParam("pool") String pool) {
    Caller caller = current.get();
    return access
        .require(caller, "pool.read", "/pools/" + pool)
        .chain(
            allowed -> {
              pools.require(pool);
              return transactions
                  .pool()
                  .withConnection(
                      c ->
                          ledger
                              .usage(c, pool, clock.instant())
                              .chain(
                                  usage ->
                                      attempts
                                          .waitingCount(c, pool)
                                          .map(
                                              waiting ->
                                                  new PoolView(
                                                      pool,
                                                      usage.capacity(),
                                                      usage.used(),
                                                      usage.dispatched(),
                                                      waiting,
                                                      pools.paused(pool)))));
            });
  }

  private static int validSlots(Registration body) {
    if (body == null || body.slots() == null) {
      throw ProblemException.badRequest("/slots", "slots is required");
    }
    if (body.slots() < 0 || body.slots() > MAX_SLOTS) {
      throw ProblemException.badRequest("/slots", "slots must be between 0 and " + MAX_SLOTS);
    }
    return body.slots();
  }
}
