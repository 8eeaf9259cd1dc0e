package dev.conductor.scheduler.dispatch;

import dev.conductor.events.EventType;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.JobWaiting;
import dev.conductor.events.data.StepSpec;
import dev.conductor.platform.kafka.PollHandler;
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
    this.defaultTimeoutSeconds = (int) settings.defaultTimeout().toSeconds();
    this.claimWindowSeconds = (int) settings.claimWindow().toSeconds();
  }

  /** Creates attempt {@code number} of a step, waiting for the next drain of its pool. */
  public Uni<UUID> open(SqlConnection tx, StepRow step, String pool, int number) {
    UUID id = UUID.randomUUID();
    return attempts
        .insert(tx, id, step.runId(), step.name(), number, pool, step.slots(), clock.instant())
        .chain(() -> runs.setStepStatus(tx, step.runId(), step.name(), StepRow.QUEUED))
        .replaceWith(id);
  }

  /** Attempt {@code number} of {@code step} in {@code pool}, to open. */
  public record NewAttempt(StepRow step, String pool, int number) {}

  /**
   * Creates many attempts in one statement, each waiting for the next drain of its pool; the caller
   * has stored their steps {@code queued} (a run's first steps, at intake).
   */
  public Uni<Void> openAll(SqlConnection tx, List<NewAttempt> opened) {
    if (opened.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<AttemptStore.New> rows =
        opened.stream()
            .map(
                a ->
                    new AttemptStore.New(
                        UUID.randomUUID(),
                        a.step().runId(),
                        a.step().name(),
                        a.number(),
                        a.pool(),
                        a.step().slots()))
            .toList();
    return attempts.insertAll(tx, rows, clock.instant());
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
            changed ->
                PollHandler.inOrder(
                    changed,
                    attempt ->
                        announceWaiting(
                            tx,
                            Placement.plan(usage, List.of(attempt), true).get(0),
                            causeOf.apply(attempt.runId()))));
  }

  /** Grants first, in one statement for all, then tells the others why they wait. */
  private Uni<Void> applyAll(
      SqlConnection tx,
      List<Placement.Decision> decisions,
      Function<String, Cause> causeOf,
      Instant now) {
    List<AttemptRow> granted =
        decisions.stream()
            .filter(Placement.Decision::grant)
            .map(Placement.Decision::attempt)
            .toList();
    Uni<Void> chain =
        granted.isEmpty() ? Uni.createFrom().voidItem() : grantAll(tx, granted, causeOf, now);
    for (Placement.Decision decision : decisions) {
      if (!decision.grant()) {
        Cause cause = causeOf.apply(decision.attempt().runId());
        chain = chain.chain(() -> waitFor(tx, decision, cause));
      }
    }
    return chain;
  }

  /**
   * Dispatches {@code granted} with three statements however many there are: their runs, their
   * steps, and one guarded UPDATE; then one {@code job.scheduled} each (the outbox writes them in
   * one batch at the commit).
   */
  private Uni<Void> grantAll(
      SqlConnection tx, List<AttemptRow> granted, Function<String, Cause> causeOf, Instant now) {
    List<String> runIds = granted.stream().map(AttemptRow::runId).toList();
    List<String> stepNames = granted.stream().map(AttemptRow::step).toList();
    Instant claimBy = now.plusSeconds(claimWindowSeconds);
    return runs.findAll(tx, runIds)
        .chain(
            found ->
                runs.stepsNamed(tx, runIds, stepNames)
                    .map(
                        steps ->
                            granted.stream()
                                .map(
                                    a ->
                                        new Job(
                                            a,
                                            require(found.get(a.runId()), a),
                                            require(
                                                steps.get(RunStore.stepKey(a.runId(), a.step())),
                                                a)))
                                .toList()))
        .chain(
            jobs ->
                attempts
                    .scheduleAll(
                        tx,
                        jobs.stream().map(j -> j.attempt().id()).toList(),
                        jobs.stream().map(j -> timeoutSeconds(j.step())).toList(),
                        claimBy)
                    .chain(
                        dispatched ->
                            // Guarded: only attempts that were still waiting were dispatched.
                            PollHandler.inOrder(
                                jobs.stream()
                                    .filter(j -> dispatched.containsKey(j.attempt().id()))
                                    .toList(),
                                job ->
                                    scheduled(
                                        tx,
                                        job,
                                        dispatched.get(job.attempt().id()),
                                        causeOf,
                                        now,
                                        claimBy))));
  }

  private Uni<Void> scheduled(
      SqlConnection tx,
      Job job,
      int dispatch,
      Function<String, Cause> causeOf,
      Instant now,
      Instant claimBy) {
    return emitter.emit(
        tx,
        causeOf.apply(job.run().id()),
        job.run().id(),
        job.run().traceparent(),
        EventType.JOB_SCHEDULED,
        jobScheduled(job, dispatch, now, claimBy.plusSeconds(timeoutSeconds(job.step()))));
  }

  private static <T> T require(T stored, AttemptRow attempt) {
    if (stored == null) {
      throw new IllegalStateException(
          "attempt "
              + attempt.id()
              + " names run "
              + attempt.runId()
              + " step "
              + attempt.step()
              + ", which is not stored");
    }
    return stored;
  }

  /** What a job.scheduled is built from. */
  private record Job(AttemptRow attempt, RunRow run, StepRow step) {}

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
      Job job, int dispatch, Instant dispatchedAt, Instant deadline) {
    AttemptRow attempt = job.attempt();
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
