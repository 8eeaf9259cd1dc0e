package dev.conductor.scheduler.claim;

import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.attempt.AttemptRow;
import dev.conductor.scheduler.attempt.AttemptStore;
import dev.conductor.scheduler.dispatch.Placement;
import dev.conductor.scheduler.slot.SlotLedger;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Where a slot is taken (DESIGN §6): an executor claims one dispatch of an attempt, and in one
 * transaction the attempt becomes its (guarded: only from {@code scheduled}, only for that
 * dispatch) and the slots are taken on the executor's counter ({@link SlotLedger#take}). No free
 * slot is a typed refusal: the attempt goes back to the queue, in its place, and the next drain
 * (the sweeper's, within a second) dispatches it again. Lock order: attempt row, then executor row,
 * as at an outcome.
 */
@ApplicationScoped
public class Claims {
  private static final Logger LOG = Logger.getLogger(Claims.class);

  /** The problem kinds of a refused claim. */
  public static final String NO_CAPACITY = "no-capacity";

  public static final String NOT_CLAIMABLE = "not-claimable";

  /** A claim's answer. */
  public sealed interface Answer {}

  /** The executor runs the attempt, on its slots, until its lease or deadline passes. */
  public record Granted(AttemptRow attempt) implements Answer {}

  /** Not this executor's: {@code kind} is {@link #NO_CAPACITY} or {@link #NOT_CLAIMABLE}. */
  public record Refused(String kind, String detail) implements Answer {}

  private final AttemptStore attempts;
  private final SlotLedger ledger;
  private final Clock clock;
  private final int leaseSeconds;

  public Claims(AttemptStore attempts, SlotLedger ledger, Clock clock, Settings settings) {
    this.attempts = attempts;
    this.ledger = ledger;
    this.clock = clock;
    this.leaseSeconds = settings.attemptLeaseSeconds();
  }

  /**
   * Claims dispatch {@code dispatch} of the attempt for {@code executorId}, in {@code tx}, after
   * giving back the slots of the attempts the executor says {@code ended} since its last claim: it
   * frees its own slots when it has published an outcome, which this instance may not have read
   * yet, and without this its next claim would find them still taken.
   */
  public Uni<Answer> claim(
      SqlConnection tx, UUID id, int dispatch, String executorId, List<UUID> ended) {
    Instant now = clock.instant();
    return attempts
        .claim(tx, id, dispatch, executorId, now, now.plusSeconds(leaseSeconds))
        .chain(
            claimed ->
                claimed.isEmpty()
                    ? notClaimable(tx, id, dispatch, executorId, ended)
                    : take(tx, claimed.get(), executorId, ended, now));
  }

  private Uni<Answer> take(
      SqlConnection tx, AttemptRow attempt, String executorId, List<UUID> ended, Instant now) {
    return ledger
        .releaseEnded(tx, attempt.pool(), executorId, ended)
        .chain(
            () -> ledger.take(tx, attempt.pool(), executorId, attempt.id(), attempt.slots(), now))
        .chain(
            taken ->
                taken
                    ? Uni.createFrom().item(new Granted(attempt))
                    : attempts
                        .requeue(tx, attempt.id(), Placement.CAPACITY)
                        .map(requeued -> noCapacity(attempt, executorId)));
  }

  private static Answer noCapacity(AttemptRow attempt, String executorId) {
    LOG.debugf(
        "claim of %s by %s refused: no free slot in pool %s; back to the queue",
        attempt.id(), executorId, attempt.pool());
    return new Refused(
        NO_CAPACITY,
        "executor "
            + executorId
            + " has no "
            + attempt.slots()
            + " free slot(s) in pool "
            + attempt.pool()
            + " (not registered, full, or the pool is paused); attempt "
            + attempt.id()
            + " is back in the queue and will be dispatched again");
  }

  /**
   * Names the state that made the claim lose: claimed, running, ended, or dispatched anew. The
   * executor's ended attempts are given back all the same: it told us only once.
   */
  private Uni<Answer> notClaimable(
      SqlConnection tx, UUID id, int dispatch, String executorId, List<UUID> ended) {
    return attempts
        .find(tx, id)
        .call(
            found ->
                found.isPresent()
                    ? ledger.releaseEnded(tx, found.get().pool(), executorId, ended)
                    : Uni.createFrom().voidItem())
        .map(
            found -> {
              String state =
                  found
                      .map(
                          a ->
                              AttemptRow.SCHEDULED.equals(a.status()) && a.dispatch() != dispatch
                                  ? "at dispatch " + a.dispatch() + ", not " + dispatch
                                  : a.status())
                      .orElse("gone");
              return new Refused(
                  NOT_CLAIMABLE, "attempt " + id + " is " + state + ", not open for claiming");
            });
  }
}
