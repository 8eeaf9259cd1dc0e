package dev.conductor.scheduler.run;

import dev.conductor.events.EventType;
import dev.conductor.events.data.RunQueued;
import dev.conductor.events.data.RunRejected;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.StepSpec;
import dev.conductor.platform.kafka.PollHandler;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Accepts requested runs, a poll's worth at a time: validates each, stores the runs and their
 * steps, announces them queued and opens the steps that have no dependencies; an invalid request is
 * stored and announced as rejected. A run id seen before has no effect, whatever the event id.
 * Whatever the number of requests, a poll costs the same few statements: which runs are known, the
 * requested pools' rows (read and locked in name order: another instance may have added or retired
 * one a moment ago), then one insert each for runs, steps and first attempts. Resource classes come
 * from the copy in memory, and an unknown class is looked up in the database before a run is
 * rejected for it.
 */
@ApplicationScoped
public class RunIntake {
  private static final Logger LOG = Logger.getLogger(RunIntake.class);

  /** A requested run and the cause of what it leads to. */
  public record Request(RunRequested run, Cause cause) {}

  /** What became of a new request: queued (no rejection), with the classes that priced it. */
  private record Verdict(Request request, Optional<Rejection> rejection, ResourceClasses classes) {}

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

  /**
   * Requests in poll order, inside {@code tx}. A request without a run id fails them all (the
   * consumer then replays the poll one event at a time, and only that one goes to the DLQ); of two
   * requests for one run id, the first counts.
   */
  public Uni<Void> acceptAll(SqlConnection tx, List<Request> requests) {
    Map<String, Request> byRun = new LinkedHashMap<>();
    for (Request r : requests) {
      if (r.run().runId() == null || r.run().runId().isBlank()) {
        throw new Rejected("run.requested without a runId");
      }
      byRun.putIfAbsent(r.run().runId(), r);
    }
    return runs.known(tx, byRun.keySet())
        .chain(
            known -> {
              known.forEach(id -> LOG.debugf("run %s is already known; request ignored", id));
              List<Request> fresh =
                  byRun.values().stream().filter(r -> !known.contains(r.run().runId())).toList();
              if (fresh.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              return inForce(tx, fresh)
                  .chain(inForce -> decide(tx, fresh, inForce))
                  .chain(verdicts -> store(tx, verdicts));
            });
  }

  /**
   * The pools in force as far as these requests are concerned: our copy (for a rejection's detail),
   * corrected for each requested pool by its row, read under the pool's lock (the grant lock, see
   * SlotLedger) like a retirement: a run accepted concurrently with the retirement of its pool
   * either commits first (and the retirement sees its attempts) or sees the pool retired. The row,
   * not this instance's copy, decides, so a pool another instance added a moment ago is known at
   * once.
   */
  private Uni<Set<String>> inForce(SqlConnection tx, List<Request> requests) {
    Set<String> names = new TreeSet<>(pools.names());
    Set<String> requested = new TreeSet<>();
    requests.stream()
        .map(r -> r.run().environment())
        .filter(pool -> pool != null && !pool.isBlank())
        .forEach(requested::add);
    if (requested.isEmpty()) {
      return Uni.createFrom().item(names);
    }
    return ledger
        .lockAllIfExist(tx, requested)
        .map(
            states -> {
              for (String pool : requested) {
                SlotLedger.PoolState state = states.get(pool);
                if (state != null && !state.retired()) {
                  names.add(pool);
                } else {
                  names.remove(pool);
                }
              }
              return names;
            });
  }

  /**
   * Validates each request against one version of the classes (for validation and slot costs
   * alike). A class unknown to our copy may be one another instance added a moment ago (our copy
   * follows within seconds): the stored classes, read once, decide before a final rejection.
   */
  private Uni<List<Verdict>> decide(SqlConnection tx, List<Request> requests, Set<String> pools) {
    ResourceClasses copy = this.classes.snapshot();
    List<Verdict> verdicts = new ArrayList<>();
    boolean unknownClass = false;
    for (Request r : requests) {
      Optional<Rejection> rejection = validate(r.run(), pools, copy);
      unknownClass |=
          rejection.filter(x -> Rejection.UNKNOWN_RESOURCE_CLASS.equals(x.reason())).isPresent();
      verdicts.add(new Verdict(r, rejection, copy));
    }
    if (!unknownClass) {
      return Uni.createFrom().item(verdicts);
    }
    return classStore
        .all(tx)
        .map(ResourceClasses::of)
        .map(
            stored ->
                verdicts.stream()
                    .map(
                        v ->
                            v.rejection()
                                    .filter(
                                        x -> Rejection.UNKNOWN_RESOURCE_CLASS.equals(x.reason()))
                                    .isPresent()
                                ? new Verdict(
                                    v.request(), validate(v.request().run(), pools, stored), stored)
                                : v)
                    .toList());
  }

  private static Optional<Rejection> validate(
      RunRequested request, Set<String> pools, ResourceClasses classes) {
    return new RunValidator(pools, classes).validate(request);
  }

  /**
   * Stores the runs (queued or rejected) and the queued runs' steps, and opens their first steps: a
   * step without dependencies is stored {@code queued} beside its first attempt; its pool is
   * drained before the commit. Events go out in request order.
   */
  private Uni<Void> store(SqlConnection tx, List<Verdict> verdicts) {
    Instant now = clock.instant();
    List<RunRow> rows = new ArrayList<>();
    List<String> triggers = new ArrayList<>();
    List<StepRow> steps = new ArrayList<>();
    List<Dispatcher.NewAttempt> first = new ArrayList<>();
    for (Verdict v : verdicts) {
      RunRequested request = v.request().run();
      Cause cause = v.request().cause();
      RunRow run =
          v.rejection()
              .map(x -> row(request, RunRow.REJECTED, x.reason(), x.detail(), cause, now))
              .orElseGet(() -> row(request, RunRow.QUEUED, null, null, cause, now));
      rows.add(run);
      triggers.add(request.trigger());
      if (v.rejection().isPresent()) {
        LOG.infof(
            "run %s rejected: %s %s",
            run.id(), v.rejection().get().reason(), v.rejection().get().detail());
        continue;
      }
      for (StepRow step : steps(run.id(), request.snapshot().steps(), v.classes())) {
        steps.add(step);
        if (step.status().equals(StepRow.QUEUED)) {
          first.add(new Dispatcher.NewAttempt(step, run.pool(), 1));
        }
      }
    }
    return runs.insertAll(tx, rows, triggers)
        .chain(() -> steps.isEmpty() ? Uni.createFrom().voidItem() : runs.insertSteps(tx, steps))
        .chain(() -> dispatcher.openAll(tx, first))
        .chain(() -> announce(tx, verdicts, rows, now));
  }

  /** run.queued or run.rejected for each, in request order; then a drain of each used pool. */
  private Uni<Void> announce(
      SqlConnection tx, List<Verdict> verdicts, List<RunRow> rows, Instant now) {
    List<Integer> order = java.util.stream.IntStream.range(0, rows.size()).boxed().toList();
    return PollHandler.inOrder(
        order,
        i -> {
          RunRow run = rows.get(i);
          Cause cause = verdicts.get(i).request().cause();
          Optional<Rejection> rejection = verdicts.get(i).rejection();
          return rejection.isPresent()
              ? emitter.emit(
                  tx,
                  cause,
                  run.id(),
                  run.traceparent(),
                  EventType.RUN_REJECTED,
                  new RunRejected(run.id(), rejection.get().reason(), rejection.get().detail()))
              : emitter
                  .emit(
                      tx,
                      cause,
                      run.id(),
                      run.traceparent(),
                      EventType.RUN_QUEUED,
                      new RunQueued(run.id(), run.pool(), now))
                  .chain(() -> dispatcher.drain(tx, run.pool(), cause));
        });
  }

  /** The run's steps; those without dependencies are queued at once (their attempt is opened). */
  private static List<StepRow> steps(String runId, List<StepSpec> specs, ResourceClasses classes) {
    List<StepRow> steps = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      StepSpec spec = specs.get(i);
      List<String> dependsOn = RunValidator.dependsOn(spec).stream().distinct().toList();
      steps.add(
          new StepRow(
              runId,
              spec.name(),
              i,
              dependsOn,
              spec,
              classes.slots(spec.resourceClass()).orElseThrow(),
              spec.maxRetries(),
              dependsOn.isEmpty() ? StepRow.QUEUED : StepRow.PENDING));
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
