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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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

  /** In a batch: no attempt of the claimed pool has this id (a single claim answers 404). */
  public static final String UNKNOWN = "unknown";

  /** One attempt of a batch claim: its id and the dispatch its {@code job.authorized} named. */
  public record Wanted(UUID attemptId, int dispatch) {}

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
    this.leaseSeconds = (int) settings.attemptLease().toSeconds();
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

  /**
   * Claims many attempts of one pool for {@code executorId} in {@code tx}, as {@link #claim} does
   * each, with a handful of statements whatever their number: the attempts in one UPDATE, the ended
   * attempts' slots back, then the slots of all claimed attempts in one update of the executor's
   * counter. Only when they do not all fit (the executor claimed more than the scheduler counts as
   * free, which its own slot count normally prevents) are they taken one by one, in request order,
   * and the rest go back to the queue. Answers in request order.
   */
  public Uni<List<Answer>> claimAll(
      SqlConnection tx, String pool, String executorId, List<Wanted> wanted, List<UUID> ended) {
    Instant now = clock.instant();
    List<UUID> ids = wanted.stream().map(Wanted::attemptId).toList();
    List<Integer> dispatches = wanted.stream().map(Wanted::dispatch).toList();
    return attempts
        .claimAll(tx, pool, ids, dispatches, executorId, now, now.plusSeconds(leaseSeconds))
        .call(claimed -> ledger.releaseEnded(tx, pool, executorId, ended))
        .chain(
            claimed -> {
              List<AttemptRow> inOrder =
                  ids.stream().map(claimed::get).filter(Objects::nonNull).toList();
              return takeAll(tx, pool, executorId, inOrder, now)
                  .chain(granted -> answers(tx, pool, wanted, claimed, granted));
            });
  }

  /** The ids of the claimed attempts that got their slots. */
  private Uni<Set<UUID>> takeAll(
      SqlConnection tx, String pool, String executorId, List<AttemptRow> claimed, Instant now) {
    if (claimed.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    List<UUID> ids = claimed.stream().map(AttemptRow::id).toList();
    return ledger
        .takeAll(tx, pool, executorId, ids, claimed.stream().map(AttemptRow::slots).toList(), now)
        .chain(
            all -> {
              if (all) {
                return Uni.createFrom().item(Set.copyOf(ids));
              }
              Set<UUID> granted = new HashSet<>();
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (AttemptRow attempt : claimed) {
                chain =
                    chain
                        .chain(
                            () ->
                                ledger.take(
                                    tx, pool, executorId, attempt.id(), attempt.slots(), now))
                        .chain(
                            taken -> {
                              if (taken) {
                                granted.add(attempt.id());
                                return Uni.createFrom().voidItem();
                              }
                              return attempts
                                  .requeue(tx, attempt.id(), Placement.CAPACITY)
                                  .replaceWithVoid();
                            });
              }
              return chain.replaceWith(granted);
            });
  }

  private Uni<List<Answer>> answers(
      SqlConnection tx,
      String pool,
      List<Wanted> wanted,
      Map<UUID, AttemptRow> claimed,
      Set<UUID> granted) {
    List<UUID> lost =
        wanted.stream().map(Wanted::attemptId).filter(id -> !claimed.containsKey(id)).toList();
    // Why the others lost is asked only when some did: almost every batch is granted whole.
    Uni<Map<UUID, AttemptRow>> found =
        lost.isEmpty() ? Uni.createFrom().item(Map.of()) : attempts.findAll(tx, lost);
    return found.map(
        states -> {
          List<Answer> answers = new ArrayList<>(wanted.size());
          for (Wanted w : wanted) {
            AttemptRow attempt = claimed.get(w.attemptId());
            if (attempt != null) {
              answers.add(
                  granted.contains(attempt.id())
                      ? new Granted(attempt)
                      : noCapacity(attempt, attempt.executorId()));
              continue;
            }
            AttemptRow state = states.get(w.attemptId());
            answers.add(
                state == null || !state.pool().equals(pool)
                    ? new Refused(UNKNOWN, "pool " + pool + " has no attempt " + w.attemptId())
                    : new Refused(NOT_CLAIMABLE, notClaimable(w.attemptId(), w.dispatch(), state)));
          }
          return answers;
        });
  }

  private static String notClaimable(UUID id, int dispatch, AttemptRow a) {
    String state =
        AttemptRow.SCHEDULED.equals(a.status()) && a.dispatch() != dispatch
            ? "at dispatch " + a.dispatch() + ", not " + dispatch
            : a.status();
    return "attempt " + id + " is " + state + ", not open for claiming";
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
            found ->
                new Refused(
                    NOT_CLAIMABLE,
                    found
                        .map(a -> notClaimable(id, dispatch, a))
                        .orElse("attempt " + id + " is gone, not open for claiming")));
  }
}
