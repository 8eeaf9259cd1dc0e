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
 * Turns ready steps into attempts and attempts into slot leases. Attempts are created waiting;
 * {@link #drain} then hands out the pool's free slots to waiting attempts in FIFO order under the
 * pool's row lock, emitting {@code job.scheduled} for each grant and {@code job.waiting} when an
 * attempt's reason to wait changes.
 */
@ApplicationScoped
public class Dispatcher {
  /** Waiting attempts considered per drain; the sweeper drains again every second. */
  static final int DRAIN_LIMIT = 500;

  private final AttemptStore attempts;
  private final RunStore runs;
  private final SlotLedger ledger;
  private final Emitter emitter;
  private final Clock clock;
  private final int defaultTimeoutSeconds;

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
   * Hands the pool's free slots to its waiting attempts; call after anything frees or adds. A
   * paused pool grants nothing: its waiting attempts wait with reason {@code paused}.
   */
  public Uni<Void> drain(SqlConnection tx, String pool, Cause cause) {
    if (cause.drains() != null) {
      cause.drains().request(pool, cause);
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
                                    .waiting(tx, pool, DRAIN_LIMIT)
                                    .map(waiting -> Placement.plan(usage, waiting, false))
                                    .chain(decisions -> applyAll(tx, decisions, causeOf, now))));
  }

  /**
   * A paused pool grants nothing: one statement marks its waiting attempts {@code paused}, and only
   * those whose reason changed are announced (the sweeper drains every second; most drains of a
   * paused pool change nothing and cost one statement).
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
              Instant deadline = deadline(job.step(), now);
              // Guarded: the attempt is granted only if it is still waiting.
              return attempts
                  .schedule(tx, attempt.id(), now, deadline)
                  .chain(
                      scheduled ->
                          scheduled
                              ? take(tx, job, attempt, cause, now, deadline)
                              : Uni.createFrom().voidItem());
            });
  }

  private Uni<Void> take(
      SqlConnection tx, Job job, AttemptRow attempt, Cause cause, Instant now, Instant deadline) {
    return ledger
        .grant(tx, attempt.pool(), attempt.id(), attempt.slots(), now)
        .chain(
            () ->
                emitter.emit(
                    tx,
                    cause,
                    job.run().id(),
                    job.run().traceparent(),
                    EventType.JOB_SCHEDULED,
                    jobScheduled(job.run(), job.step(), attempt, now, deadline)));
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

  private Instant deadline(StepRow step, Instant slotStart) {
    int timeout = step.definition().timeoutSeconds();
    return slotStart.plusSeconds(timeout > 0 ? timeout : defaultTimeoutSeconds);
  }

  private static JobScheduled jobScheduled(
      RunRow run, StepRow step, AttemptRow attempt, Instant slotStart, Instant deadline) {
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
        slotStart,
        deadline);
  }
}
