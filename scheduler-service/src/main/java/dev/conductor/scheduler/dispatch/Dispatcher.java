package dev.conductor.scheduler.dispatch;

import dev.conductor.events.EventType;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.JobWaiting;
import dev.conductor.events.data.StepSpec;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.attempt.AttemptRow;
import dev.conductor.scheduler.attempt.AttemptStore;
import dev.conductor.scheduler.run.RunRow;
import dev.conductor.scheduler.run.RunStore;
import dev.conductor.scheduler.run.StepRow;
import dev.conductor.scheduler.slot.SlotLedger;
import dev.conductor.scheduler.slot.Usage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns ready steps into attempts and dispatches them. Attempts are created waiting; {@link #drain}
 * then dispatches them in FIFO order under the pool's row lock, up to the pool's capacity plus its
 * dispatch window (counting slots held by claimed and running attempts and those dispatched but not
 * yet claimed), emitting {@code job.scheduled} for each dispatch and {@code job.waiting} when the
 * head of the queue's reason to wait changes. Dispatch holds no slot: the executor's claim takes it
 * ({@code claim.Claims}). A drain reads only as many waiting attempts as it can dispatch, plus the
 * one that then heads the queue, so its cost does not grow with the queue.
 */
@ApplicationScoped
public class Dispatcher {
  /** Most attempts dispatched per drain; the sweeper drains again every second. */
  static final int DRAIN_LIMIT = 500;

  private final AttemptStore attempts;
  private final RunStore runs;
  private final SlotLedger ledger;
  private final Emitter emitter;
  private final Clock clock;
  private final int defaultTimeoutSeconds;
  private final int claimWindowSeconds;

  public Dispatcher(
      AttemptStore attempts,
      RunStore runs,
      SlotLedger ledger,
      Emitter emitter,
      Clock clock,
      Settings settings) {
    this.attempts = attempts;
    this.runs = runs;
    this.ledger = ledger;
    this.emitter = emitter;
    this.clock = clock;
    this.defaultTimeoutSeconds = settings.defaultTimeoutSeconds();
    this.claimWindowSeconds = settings.claimWindowSeconds();
  }

  /** Creates attempt {@code number} of a step, waiting for the next drain of its pool. */
  public Uni<UUID> open(SqlConnection tx, StepRow step, String pool, int number) {
    UUID id = UUID.randomUUID();
    return attempts
        .insert(tx, id, step.runId(), step.name(), number, pool, step.slots(), clock.instant())
        .chain(() -> runs.setStepStatus(tx, step.runId(), step.name(), StepRow.QUEUED))
        .replaceWith(id);
  }

  /**
   * Dispatches the pool's waiting attempts as far as its capacity and window allow; call after
   * anything frees or adds. A paused pool dispatches nothing: its waiting attempts wait with reason
   * {@code paused}.
   */
  public Uni<Void> drain(SqlConnection tx, String pool, Cause cause) {
    if (cause.atCommit() != null) {
      cause.atCommit().drain(pool, cause);
      return Uni.createFrom().voidItem();
    }
    return drainNow(tx, pool, runId -> cause);
  }

  /** Drains at once; {@code causeOf} says, per run, which event caused its attempt's events. */
  Uni<Void> drainNow(SqlConnection tx, String pool, Function<String, Cause> causeOf) {
    Instant now = clock.instant();
    return ledger
        .lock(tx, pool)
        .chain(
            state ->
                ledger
                    .usage(tx, pool, now)
                    .chain(
                        usage ->
                            state.paused()
                                ? pause(tx, pool, usage, causeOf)
                                : attempts
                                    .waiting(tx, pool, readLimit(usage))
                                    .map(waiting -> Placement.plan(usage, waiting, false))
                                    .chain(decisions -> applyAll(tx, decisions, causeOf, now))));
  }

  /**
   * Every attempt takes at least one slot: {@code room} rows can all be dispatched, and one more
   * heads the queue and is told why it waits.
   */
  private static int readLimit(Usage usage) {
    return (int) Math.min(DRAIN_LIMIT, usage.room() + 1);
  }

  /**
   * A paused pool dispatches nothing: one statement marks its waiting attempts {@code paused}, and
   * only those whose reason changed are announced (the sweeper drains every second; most drains of
   * a paused pool change nothing and cost one statement).
   */
  private Uni<Void> pause(
      SqlConnection tx, String pool, Usage usage, Function<String, Cause> causeOf) {
    return attempts
        .pauseWaiting(tx, pool)
        .chain(
            changed -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (AttemptRow attempt : changed) {
                Placement.Decision decision = Placement.plan(usage, List.of(attempt), true).get(0);
                chain =
                    chain.chain(
                        () -> announceWaiting(tx, decision, causeOf.apply(attempt.runId())));
              }
              return chain;
            });
  }

  private Uni<Void> applyAll(
      SqlConnection tx,
      List<Placement.Decision> decisions,
      Function<String, Cause> causeOf,
      Instant now) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Placement.Decision decision : decisions) {
      Cause cause = causeOf.apply(decision.attempt().runId());
      chain =
          chain.chain(
              () ->
                  decision.grant()
                      ? grant(tx, decision.attempt(), cause, now)
                      : waitFor(tx, decision, cause));
    }
    return chain;
  }

  private Uni<Void> grant(SqlConnection tx, AttemptRow attempt, Cause cause, Instant now) {
    return runs.find(tx, attempt.runId())
        .map(found -> found.orElseThrow())
        .chain(run -> runs.step(tx, run.id(), attempt.step()).map(step -> new Job(run, step)))
        .chain(
            job -> {
              int timeout = timeoutSeconds(job.step());
              Instant claimBy = now.plusSeconds(claimWindowSeconds);
              // Guarded: the attempt is dispatched only if it is still waiting.
              return attempts
                  .schedule(tx, attempt.id(), claimBy, timeout)
                  .chain(
                      dispatch ->
                          dispatch.isEmpty()
                              ? Uni.createFrom().voidItem()
                              : emitter.emit(
                                  tx,
                                  cause,
                                  job.run().id(),
                                  job.run().traceparent(),
                                  EventType.JOB_SCHEDULED,
                                  jobScheduled(
                                      job,
                                      attempt,
                                      dispatch.get(),
                                      now,
                                      claimBy.plusSeconds(timeout))));
            });
  }

  /** What a job.scheduled is built from. */
  private record Job(RunRow run, StepRow step) {}

  private Uni<Void> waitFor(SqlConnection tx, Placement.Decision decision, Cause cause) {
    if (decision.reason().equals(decision.attempt().waitReason())) {
      // Read under the pool lock, which every change of a wait reason holds: nothing to write.
      // Without this a drain behind a backlog wrote one UPDATE per waiting attempt, every time.
      return Uni.createFrom().voidItem();
    }
    return attempts
        .waitFor(tx, decision.attempt().id(), decision.reason())
        .chain(
            changed ->
                changed ? announceWaiting(tx, decision, cause) : Uni.createFrom().voidItem());
  }

  private Uni<Void> announceWaiting(SqlConnection tx, Placement.Decision decision, Cause cause) {
    AttemptRow attempt = decision.attempt();
    return runs.find(tx, attempt.runId())
        .map(found -> found.orElseThrow())
        .chain(
            run ->
                emitter.emit(
                    tx,
                    cause,
                    run.id(),
                    run.traceparent(),
                    EventType.JOB_WAITING,
                    new JobWaiting(
                        run.id(),
                        attempt.step(),
                        attempt.id().toString(),
                        attempt.pool(),
                        decision.reason(),
                        decision.numbers())));
  }

  private int timeoutSeconds(StepRow step) {
    int timeout = step.definition().timeoutSeconds();
    return timeout > 0 ? timeout : defaultTimeoutSeconds;
  }

  /** A dispatch: {@code deadline} is the latest the attempt may end (claim window + timeout). */
  private static JobScheduled jobScheduled(
      Job job, AttemptRow attempt, int dispatch, Instant dispatchedAt, Instant deadline) {
    RunRow run = job.run();
    StepRow step = job.step();
    StepSpec spec = step.definition();
    return new JobScheduled(
        run.id(),
        step.name(),
        attempt.id().toString(),
        attempt.number(),
        run.workspace(),
        run.pipeline(),
        run.pipelineVersion() == null ? 0 : run.pipelineVersion(),
        spec.jobType(),
        spec.spec(),
        run.parameters(),
        spec.dataAccess(),
        run.runAs(),
        run.requester(),
        attempt.pool(),
        spec.resourceClass(),
        attempt.slots(),
        dispatchedAt,
        deadline,
        dispatch);
  }
}
