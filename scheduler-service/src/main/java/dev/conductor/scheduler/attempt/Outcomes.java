package dev.conductor.scheduler.attempt;

import dev.conductor.events.EventType;
import dev.conductor.events.data.AttemptFenced;
import dev.conductor.events.data.RunFailed;
import dev.conductor.events.data.RunSucceeded;
import dev.conductor.platform.kafka.PollHandler;
import dev.conductor.platform.kafka.Rejected;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.dispatch.Cause;
import dev.conductor.scheduler.dispatch.Dispatcher;
import dev.conductor.scheduler.dispatch.Emitter;
import dev.conductor.scheduler.run.RunRow;
import dev.conductor.scheduler.run.RunStore;
import dev.conductor.scheduler.run.StepRow;
import dev.conductor.scheduler.slot.SlotLedger;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * What happens when an attempt reports in or is lost: its status moves (once), its slots are freed,
 * its step and run advance (dependents, retries, run success or failure), and the freed slots go to
 * the pool's waiting attempts at once.
 *
 * <p>Lock order, kept everywhere to avoid deadlocks: attempt row, run row, then at the end of the
 * transaction ({@code dispatch.AtCommit}) slot leases, executor rows (their slot counters), pool
 * rows.
 */
@ApplicationScoped
public class Outcomes {
  /** Why the scheduler fences an attempt (the only reason so far). */
  public static final String FENCED_REASON = "lease expired";

  private static final Logger LOG = Logger.getLogger(Outcomes.class);

  private final AttemptStore attempts;
  private final RunStore runs;
  private final SlotLedger ledger;
  private final Dispatcher dispatcher;
  private final Emitter emitter;
  private final Clock clock;
  private final int attemptLeaseSeconds;

  public Outcomes(
      AttemptStore attempts,
      RunStore runs,
      SlotLedger ledger,
      Dispatcher dispatcher,
      Emitter emitter,
      Clock clock,
      Settings settings) {
    this.attempts = attempts;
    this.runs = runs;
    this.ledger = ledger;
    this.dispatcher = dispatcher;
    this.emitter = emitter;
    this.clock = clock;
    this.attemptLeaseSeconds = (int) settings.attemptLease().toSeconds();
  }

  /**
   * A poll's {@code attempt.started} ({@code executorIds[i]} reported {@code attemptIds[i]}), with
   * three statements however many: the attempts run (with a fresh lease), and so do their runs and
   * steps (locked in that order, as everywhere). A report that moved nothing is looked at on its
   * own (a duplicate is dropped, an unknown attempt rejected).
   */
  public Uni<Void> startedAll(SqlConnection tx, List<String> attemptIds, List<String> executorIds) {
    if (attemptIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Instant now = clock.instant();
    List<UUID> ids = attemptIds.stream().map(Outcomes::attemptId).toList();
    return attempts
        .startAll(tx, ids, executorIds, now.plusSeconds(attemptLeaseSeconds))
        .chain(
            started -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              if (!started.isEmpty()) {
                Set<String> runIds = new TreeSet<>();
                started.forEach(a -> runIds.add(a.runId()));
                List<String> stepRuns = started.stream().map(AttemptRow::runId).toList();
                List<String> steps = started.stream().map(AttemptRow::step).toList();
                chain =
                    runs.markRunningAll(tx, runIds, now)
                        .chain(() -> runs.setStepStatusAll(tx, stepRuns, steps, StepRow.RUNNING));
              }
              Set<UUID> moved = started.stream().map(AttemptRow::id).collect(Collectors.toSet());
              for (UUID id : new LinkedHashSet<>(ids)) {
                if (!moved.contains(id)) {
                  chain = chain.chain(() -> ignored(tx, id, "started"));
                }
              }
              return chain;
            });
  }

  /** attempt.heartbeat: the lease runs on from now. */
  public Uni<Void> heartbeat(SqlConnection tx, String attemptId) {
    UUID id = attemptId(attemptId);
    return attempts
        .extend(tx, id, clock.instant().plusSeconds(attemptLeaseSeconds))
        .chain(extended -> extended ? Uni.createFrom().voidItem() : ignored(tx, id, "heartbeat"));
  }

  /** An attempt reported its end (succeeded, failed, timed out, cancelled, denied, ...). */
  public Uni<Void> ended(SqlConnection tx, Cause cause, String attemptId, Ending ending) {
    UUID id = attemptId(attemptId);
    return attempts
        .end(tx, id, ending.from(), ending.status(), ending.detail(), clock.instant())
        .chain(
            ended ->
                ended.isEmpty()
                    ? ignored(tx, id, ending.status())
                    : afterEnd(tx, cause, ended.get(), ending));
  }

  /**
   * The sweeper: the attempt's lease passed before {@code horizon}, how far the executors' reports
   * have been read ({@code cause} defers to the sweeper's commit).
   */
  public Uni<Void> expire(SqlConnection tx, Cause cause, UUID id, Instant horizon) {
    return attempts
        .expire(tx, id, horizon, clock.instant())
        .chain(
            lost -> {
              if (lost.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              LOG.infof(
                  "attempt %s of run %s is lost: %s", id, lost.get().runId(), lost.get().detail());
              return afterEnd(tx, cause, lost.get(), Ending.lost(lost.get().detail()));
            });
  }

  /**
   * Says that a lost attempt is fenced: its executor may still be running it and report later, but
   * those reports find it ended and change nothing; the broker revokes its credentials on this.
   */
  private Uni<Void> fence(SqlConnection tx, Cause cause, RunRow run, AttemptRow attempt) {
    return emitter.emit(
        tx,
        cause,
        run.id(),
        run.traceparent(),
        EventType.ATTEMPT_FENCED,
        new AttemptFenced(
            run.id(),
            attempt.step(),
            attempt.id().toString(),
            attempt.number(),
            attempt.executorId(),
            FENCED_REASON,
            clock.instant()));
  }

  private Uni<Void> afterEnd(SqlConnection tx, Cause cause, AttemptRow attempt, Ending ending) {
    return release(tx, cause, attempt)
        .chain(() -> runs.lock(tx, attempt.runId()))
        // A lost attempt is fenced first, with the run just read: its events come before the retry.
        .call(
            run ->
                AttemptRow.LOST.equals(ending.status())
                    ? fence(tx, cause, run, attempt)
                    : Uni.createFrom().voidItem())
        .chain(
            run ->
                switch (ending.kind()) {
                  case SUCCEEDED -> succeeded(tx, cause, run, attempt);
                  case RETRYABLE -> retryOrFail(tx, cause, run, attempt, ending);
                  case FATAL -> stepFailed(tx, cause, run, attempt, ending);
                })
        .chain(() -> dispatcher.drain(tx, attempt.pool(), cause));
  }

  /** Ends its lease and gives its slots back: at the commit where the cause defers, else now. */
  private Uni<Void> release(SqlConnection tx, Cause cause, AttemptRow attempt) {
    if (cause.atCommit() != null) {
      cause.atCommit().release(attempt.id());
      return Uni.createFrom().voidItem();
    }
    return ledger.releaseAll(tx, List.of(attempt.id())).replaceWithVoid();
  }

  private Uni<Void> succeeded(SqlConnection tx, Cause cause, RunRow run, AttemptRow attempt) {
    return runs.setStepStatus(tx, run.id(), attempt.step(), StepRow.SUCCEEDED)
        .chain(() -> runs.steps(tx, run.id()))
        .chain(steps -> advance(tx, cause, run, steps));
  }

  /**
   * After steps of an active run succeeded: the run succeeds when all did, else the pending steps
   * whose dependencies all succeeded are opened.
   */
  private Uni<Void> advance(SqlConnection tx, Cause cause, RunRow run, List<StepRow> steps) {
    if (!run.active()) {
      return Uni.createFrom().voidItem();
    }
    if (steps.stream().allMatch(s -> StepRow.SUCCEEDED.equals(s.status()))) {
      return finishSucceeded(tx, cause, run);
    }
    Set<String> done =
        steps.stream()
            .filter(s -> StepRow.SUCCEEDED.equals(s.status()))
            .map(StepRow::name)
            .collect(Collectors.toSet());
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (StepRow step : steps) {
      if (StepRow.PENDING.equals(step.status()) && done.containsAll(step.dependsOn())) {
        chain = chain.chain(() -> dispatcher.open(tx, step, run.pool(), 1)).replaceWithVoid();
      }
    }
    return chain;
  }

  /** One {@code attempt.succeeded} of a poll, with the cause its effects are deferred to. */
  public record Success(String attemptId, Cause cause) {}

  /**
   * A poll's {@code attempt.succeeded}, as {@link #ended} would apply each, with a handful of
   * statements however many: the attempts end in one, their runs are locked in one (after them, as
   * everywhere), their steps marked and read in one each; then each run advances once, with the
   * cause of its last success in the poll. A report that ended nothing is looked at on its own.
   */
  public Uni<Void> succeededAll(SqlConnection tx, List<Success> reports) {
    if (reports.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Ending ending = Ending.succeeded();
    Map<UUID, Cause> causes = new LinkedHashMap<>();
    reports.forEach(r -> causes.putIfAbsent(attemptId(r.attemptId()), r.cause()));
    List<UUID> ids = List.copyOf(causes.keySet());
    return attempts
        .endAll(tx, ids, ending.from(), ending.status(), ending.detail(), clock.instant())
        .chain(
            ended -> {
              Map<UUID, AttemptRow> byId = new HashMap<>();
              ended.forEach(a -> byId.put(a.id(), a));
              Uni<Void> chain =
                  PollHandler.inOrder(
                      ids,
                      id ->
                          byId.get(id) == null
                              ? ignored(tx, id, ending.status())
                              : release(tx, causes.get(id), byId.get(id)));
              if (ended.isEmpty()) {
                return chain;
              }
              // Per run, in poll order, the cause of its last success: it advances the run.
              Map<String, Cause> lastByRun = new LinkedHashMap<>();
              for (UUID id : ids) {
                AttemptRow attempt = byId.get(id);
                if (attempt != null) {
                  lastByRun.remove(attempt.runId());
                  lastByRun.put(attempt.runId(), causes.get(id));
                }
              }
              List<String> stepRuns = ended.stream().map(AttemptRow::runId).toList();
              List<String> steps = ended.stream().map(AttemptRow::step).toList();
              return chain
                  .chain(() -> runs.lockAll(tx, lastByRun.keySet()))
                  .call(() -> runs.setStepStatusAll(tx, stepRuns, steps, StepRow.SUCCEEDED))
                  .chain(
                      locked ->
                          runs.stepsOfAll(tx, lastByRun.keySet())
                              .chain(
                                  stepsByRun -> {
                                    Uni<Void> advance = Uni.createFrom().voidItem();
                                    for (Map.Entry<String, Cause> run : lastByRun.entrySet()) {
                                      advance =
                                          advance.chain(
                                              () ->
                                                  advance(
                                                      tx,
                                                      run.getValue(),
                                                      locked.get(run.getKey()),
                                                      stepsByRun.getOrDefault(
                                                          run.getKey(), List.of())));
                                    }
                                    return advance;
                                  }))
                  .chain(
                      () -> {
                        Uni<Void> drains = Uni.createFrom().voidItem();
                        for (AttemptRow attempt : ended) {
                          drains =
                              drains.chain(
                                  () ->
                                      dispatcher.drain(
                                          tx, attempt.pool(), causes.get(attempt.id())));
                        }
                        return drains;
                      });
            });
  }

  private Uni<Void> retryOrFail(
      SqlConnection tx, Cause cause, RunRow run, AttemptRow attempt, Ending ending) {
    return runs.step(tx, run.id(), attempt.step())
        .chain(
            step -> {
              if (run.active() && attempt.number() < step.attemptBudget()) {
                LOG.infof(
                    "run %s step %s attempt %d %s; retrying",
                    run.id(), step.name(), attempt.number(), ending.status());
                return dispatcher
                    .open(tx, step, run.pool(), attempt.number() + 1)
                    .replaceWithVoid();
              }
              return stepFailed(tx, cause, run, attempt, ending);
            });
  }

  private Uni<Void> stepFailed(
      SqlConnection tx, Cause cause, RunRow run, AttemptRow attempt, Ending ending) {
    String detail =
        Optional.ofNullable(ending.detail())
            .orElse("attempt " + attempt.number() + " " + ending.status());
    return runs.setStepStatus(tx, run.id(), attempt.step(), StepRow.FAILED)
        .chain(
            () ->
                run.active()
                    ? finishFailed(tx, cause, run, ending.runReason(), attempt.step(), detail)
                    : Uni.createFrom().voidItem());
  }

  private Uni<Void> finishSucceeded(SqlConnection tx, Cause cause, RunRow run) {
    Instant now = clock.instant();
    return runs.finish(tx, run.id(), RunRow.SUCCEEDED, null, null, null, now)
        .chain(
            finished ->
                !finished
                    ? Uni.createFrom().voidItem()
                    : emitter.emit(
                        tx,
                        cause,
                        run.id(),
                        run.traceparent(),
                        EventType.RUN_SUCCEEDED,
                        new RunSucceeded(
                            run.id(),
                            run.startedAt() == null ? run.requestedAt() : run.startedAt(),
                            now)));
  }

  /**
   * Fails the run once; attempts that never reached an executor are cancelled (they hold no slot; a
   * later claim gets 409), pending steps never start. Attempts already running finish on their own
   * and free their slots then.
   */
  private Uni<Void> finishFailed(
      SqlConnection tx, Cause cause, RunRow run, String reason, String step, String detail) {
    Instant now = clock.instant();
    return runs.finish(tx, run.id(), RunRow.FAILED, reason, step, detail, now)
        .chain(
            finished -> {
              if (!finished) {
                return Uni.createFrom().voidItem();
              }
              LOG.infof("run %s failed: %s at %s: %s", run.id(), reason, step, detail);
              return emitter
                  .emit(
                      tx,
                      cause,
                      run.id(),
                      run.traceparent(),
                      EventType.RUN_FAILED,
                      new RunFailed(run.id(), reason, step, detail, now))
                  // Taken before touching waiting attempts, which drains change under this lock.
                  .chain(() -> ledger.lock(tx, run.pool()))
                  .chain(() -> attempts.cancelUnclaimed(tx, run.id(), now))
                  .chain(cancelled -> cancelAll(tx, run, cancelled))
                  .chain(() -> runs.cancelPendingSteps(tx, run.id()));
            });
  }

  private Uni<Void> cancelAll(SqlConnection tx, RunRow run, List<AttemptRow> cancelled) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (AttemptRow attempt : cancelled) {
      chain =
          chain
              .chain(() -> runs.setStepStatus(tx, run.id(), attempt.step(), StepRow.CANCELLED))
              .replaceWithVoid();
    }
    return chain;
  }

  private static UUID attemptId(String attemptId) {
    if (attemptId == null) {
      throw new Rejected("the event names no attemptId");
    }
    try {
      return UUID.fromString(attemptId);
    } catch (IllegalArgumentException e) {
      throw new Rejected("unknown attempt " + attemptId);
    }
  }

  /**
   * A transition that did not happen: the attempt is in another state (a duplicate or late report,
   * logged and dropped), or it was never stored (rejected). Asked only then: the guarded UPDATE
   * already answers for the attempts that exist and move, which is almost every report.
   */
  private Uni<Void> ignored(SqlConnection tx, UUID id, String what) {
    return attempts
        .find(tx, id)
        .invoke(
            found -> {
              if (found.isEmpty()) {
                throw new Rejected("unknown attempt " + id);
              }
              LOG.debugf("attempt %s: %s has no effect in its current state", id, what);
            })
        .replaceWithVoid();
  }
}
