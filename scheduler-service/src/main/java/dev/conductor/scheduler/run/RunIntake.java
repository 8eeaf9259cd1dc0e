package dev.conductor.scheduler.run;

import dev.conductor.events.EventType;
import dev.conductor.events.data.RunQueued;
import dev.conductor.events.data.RunRejected;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.StepSpec;
import dev.conductor.platform.kafka.Rejected;
import dev.conductor.scheduler.dispatch.Cause;
import dev.conductor.scheduler.dispatch.Dispatcher;
import dev.conductor.scheduler.dispatch.Emitter;
import dev.conductor.scheduler.pool.PoolStore;
import dev.conductor.scheduler.pool.Pools;
import dev.conductor.scheduler.slot.ResourceClasses;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Accepts a requested run: validates it, stores the run and its steps, announces it queued and
 * dispatches the steps that have no dependencies. An invalid request is stored and announced as
 * rejected. A run id seen before has no effect, whatever the event id. Pools and resource classes
 * are the configuration sections in force (in memory); the pool is confirmed in the database too,
 * since another instance may have retired it a moment ago.
 */
@ApplicationScoped
public class RunIntake {
  private static final Logger LOG = Logger.getLogger(RunIntake.class);

  private final RunStore runs;
  private final Dispatcher dispatcher;
  private final Emitter emitter;
  private final ResourceClasses classes;
  private final Pools pools;
  private final PoolStore poolStore;
  private final Clock clock;

  public RunIntake(
      RunStore runs,
      Dispatcher dispatcher,
      Emitter emitter,
      ResourceClasses classes,
      Pools pools,
      PoolStore poolStore,
      Clock clock) {
    this.runs = runs;
    this.dispatcher = dispatcher;
    this.emitter = emitter;
    this.classes = classes;
    this.pools = pools;
    this.poolStore = poolStore;
    this.clock = clock;
  }

  public Uni<Void> accept(SqlConnection tx, RunRequested request, Cause cause) {
    if (request.runId() == null || request.runId().isBlank()) {
      throw new Rejected("run.requested without a runId");
    }
    return runs.find(tx, request.runId())
        .chain(
            existing -> {
              if (existing.isPresent()) {
                LOG.debugf("run %s is already known; request ignored", request.runId());
                return Uni.createFrom().voidItem();
              }
              // One version of the classes for validation and slot costs alike.
              ResourceClasses classes = this.classes.snapshot();
              Optional<Rejection> rejection =
                  new RunValidator(pools.names(), classes).validate(request);
              if (rejection.isPresent()) {
                return reject(tx, request, rejection.get(), cause);
              }
              return poolStore
                  .isActive(tx, request.environment())
                  .chain(
                      active ->
                          active
                              ? queue(tx, request, classes, cause)
                              : reject(tx, request, retired(request.environment()), cause));
            });
  }

  private static Rejection retired(String pool) {
    return new Rejection(Rejection.UNKNOWN_POOL, "/environment: pool " + pool + " is retired");
  }

  private Uni<Void> reject(
      SqlConnection tx, RunRequested request, Rejection rejection, Cause cause) {
    Instant now = clock.instant();
    RunRow run = row(request, RunRow.REJECTED, rejection.reason(), rejection.detail(), cause, now);
    LOG.infof("run %s rejected: %s %s", request.runId(), rejection.reason(), rejection.detail());
    return runs.insert(tx, run, request.trigger())
        .chain(
            () ->
                emitter.emit(
                    tx,
                    cause,
                    run.id(),
                    run.traceparent(),
                    EventType.RUN_REJECTED,
                    new RunRejected(run.id(), rejection.reason(), rejection.detail())));
  }

  private Uni<Void> queue(
      SqlConnection tx, RunRequested request, ResourceClasses classes, Cause cause) {
    Instant now = clock.instant();
    RunRow run = row(request, RunRow.QUEUED, null, null, cause, now);
    List<StepRow> steps = steps(run.id(), request.snapshot().steps(), classes);
    Uni<Void> chain =
        runs.insert(tx, run, request.trigger())
            .chain(() -> runs.insertSteps(tx, steps))
            .chain(
                () ->
                    emitter.emit(
                        tx,
                        cause,
                        run.id(),
                        run.traceparent(),
                        EventType.RUN_QUEUED,
                        new RunQueued(run.id(), run.pool(), now)));
    for (StepRow step : steps) {
      if (step.dependsOn().isEmpty()) {
        chain = chain.chain(() -> dispatcher.open(tx, step, run.pool(), 1)).replaceWithVoid();
      }
    }
    return chain.chain(() -> dispatcher.drain(tx, run.pool(), cause));
  }

  private static List<StepRow> steps(String runId, List<StepSpec> specs, ResourceClasses classes) {
    List<StepRow> steps = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      StepSpec spec = specs.get(i);
      steps.add(
          new StepRow(
              runId,
              spec.name(),
              i,
              RunValidator.dependsOn(spec).stream().distinct().toList(),
              spec,
              classes.slots(spec.resourceClass()).orElseThrow(),
              spec.maxRetries(),
              StepRow.PENDING));
    }
    return steps;
  }

  private static RunRow row(
      RunRequested request, String status, String reason, String detail, Cause cause, Instant now) {
    return new RunRow(
        request.runId(),
        request.workspace(),
        request.pipeline(),
        request.snapshot() == null ? null : request.snapshot().version(),
        request.environment(),
        status,
        reason,
        detail,
        null,
        request.snapshot() == null ? null : request.snapshot().runAs(),
        request.requester(),
        request.parameters() == null ? java.util.Map.of() : request.parameters(),
        cause.traceparent(),
        now,
        null,
        null);
  }
}
