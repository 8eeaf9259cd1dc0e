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
import dev.conductor.scheduler.pool.Pools;
import dev.conductor.scheduler.slot.ResourceClassStore;
import dev.conductor.scheduler.slot.ResourceClasses;
import dev.conductor.scheduler.slot.SlotLedger;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Accepts a requested run: validates it, stores the run and its steps, announces it queued and
 * dispatches the steps that have no dependencies. An invalid request is stored and announced as
 * rejected. A run id seen before has no effect, whatever the event id. The pool is taken from its
 * row, read under the pool lock (another instance may have added or retired it a moment ago);
 * resource classes come from the copy in memory, and an unknown class is looked up in the database
 * before the run is rejected for it.
 */
@ApplicationScoped
public class RunIntake {
  private static final Logger LOG = Logger.getLogger(RunIntake.class);

  private final RunStore runs;
  private final Dispatcher dispatcher;
  private final Emitter emitter;
  private final ResourceClasses classes;
  private final Pools pools;
  private final SlotLedger ledger;
  private final ResourceClassStore classStore;
  private final Clock clock;

  public RunIntake(
      RunStore runs,
      Dispatcher dispatcher,
      Emitter emitter,
      ResourceClasses classes,
      Pools pools,
      SlotLedger ledger,
      ResourceClassStore classStore,
      Clock clock) {
    this.runs = runs;
    this.dispatcher = dispatcher;
    this.emitter = emitter;
    this.classes = classes;
    this.pools = pools;
    this.ledger = ledger;
    this.classStore = classStore;
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
              return inForce(tx, request.environment())
                  .chain(
                      pool -> {
                        // One version of the classes for validation and slot costs alike.
                        ResourceClasses classes = this.classes.snapshot();
                        Optional<Rejection> rejection = validate(request, pool, classes);
                        if (rejection.isEmpty()) {
                          return queue(tx, request, classes, cause);
                        }
                        if (!Rejection.UNKNOWN_RESOURCE_CLASS.equals(rejection.get().reason())) {
                          return reject(tx, request, rejection.get(), cause);
                        }
                        // Perhaps a class another instance added a moment ago (our copy follows
                        // within seconds): the stored classes decide before a final rejection.
                        return classStore
                            .all(tx)
                            .map(ResourceClasses::of)
                            .chain(
                                stored ->
                                    validate(request, pool, stored)
                                        .map(again -> reject(tx, request, again, cause))
                                        .orElseGet(() -> queue(tx, request, stored, cause)));
                      });
            });
  }

  /**
   * The requested pool when it has a row that is not retired, read under the pool's lock (the grant
   * lock, see SlotLedger), like a retirement: a run accepted concurrently with the retirement of
   * its pool either commits first (and the retirement sees its attempts) or sees the pool retired.
   * The row, not this instance's copy, decides, so a pool another instance added a moment ago is
   * known at once. Answers the pools in force as far as the request is concerned: our copy (for the
   * rejection's detail), corrected for the requested pool by its row.
   */
  private Uni<Set<String>> inForce(SqlConnection tx, String pool) {
    Set<String> names = new TreeSet<>(pools.names());
    if (pool == null || pool.isBlank()) {
      return Uni.createFrom().item(names);
    }
    return ledger
        .lockIfExists(tx, pool)
        .map(
            state -> {
              if (state.isPresent() && !state.get().retired()) {
                names.add(pool);
              } else {
                names.remove(pool);
              }
              return names;
            });
  }

  private static Optional<Rejection> validate(
      RunRequested request, Set<String> pool, ResourceClasses classes) {
    return new RunValidator(pool, classes).validate(request);
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
