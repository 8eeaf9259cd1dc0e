package dev.conductor.trigger.run;

import dev.conductor.platform.db.Failures;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Starts runs requested over REST, concurrent requests sharing transactions (group commit). A
 * request alone goes at once; requests that arrive while {@link #IN_FLIGHT} transactions are busy
 * wait and go together, up to {@link #BATCH} per transaction. One run costs a transaction's begin,
 * commit and event write, so under a burst the cost per run falls as the queue grows instead of
 * every request queueing for a connection of its own (10,000 requests at once used to wait longer
 * than their clients did, and the runs of the ones that gave up still ran after). A request refused
 * with a problem gets it and leaves the others of its transaction alone; a transaction that fails
 * for another reason is taken apart (each request again in its own) unless the failure is
 * transient, when they all get it, as a request alone would. A request whose client has gone before
 * its turn is dropped. Beyond {@link #MAX_WAITING} waiting requests, a request is refused at once
 * (503) rather than queued for longer than a client waits.
 */
@ApplicationScoped
public class RunStarter {
  private static final Logger LOG = Logger.getLogger(RunStarter.class);
  static final int BATCH = 100;
  static final int IN_FLIGHT = 4;
  static final int MAX_WAITING = 20_000;

  private record Pending(
      RunRequests.Request request, CompletableFuture<RunRequests.Started> done) {}

  private final RunRequests runs;
  private final Transactions transactions;
  private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waitingCount = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();

  public RunStarter(RunRequests runs, Transactions transactions) {
    this.runs = runs;
    this.transactions = transactions;
  }

  /** Starts one run; completes when its transaction has committed. */
  public Uni<RunRequests.Started> start(RunRequests.Request request) {
    if (waitingCount.incrementAndGet() > MAX_WAITING) {
      waitingCount.decrementAndGet();
      throw ProblemException.unavailable(
          MAX_WAITING + " run requests are waiting to be stored; try again in a moment");
    }
    CompletableFuture<RunRequests.Started> done = new CompletableFuture<>();
    waiting.add(new Pending(request, done));
    next();
    return Uni.createFrom().completionStage(done);
  }

  /** Starts a transaction for what waits, unless {@link #IN_FLIGHT} are busy already. */
  private void next() {
    while (!waiting.isEmpty()) {
      int busy = inFlight.get();
      if (busy >= IN_FLIGHT) {
        return; // a busy transaction calls next() when it ends
      }
      if (!inFlight.compareAndSet(busy, busy + 1)) {
        continue;
      }
      List<Pending> batch = new ArrayList<>();
      int taken = 0;
      for (Pending p = waiting.poll();
          p != null;
          p = batch.size() < BATCH ? waiting.poll() : null) {
        taken++;
        if (!p.done().isDone()) { // else cancelled: its client has gone and would never know
          batch.add(p);
        }
      }
      waitingCount.addAndGet(-taken);
      if (batch.isEmpty()) {
        inFlight.decrementAndGet();
        continue;
      }
      run(batch)
          .subscribe()
          .with(
              ignored -> ended(),
              e -> {
                LOG.errorf(e, "run requests left unanswered");
                ended();
              });
    }
  }

  private void ended() {
    inFlight.decrementAndGet();
    next();
  }

  /** The batch in one transaction; see the class comment for what a failure does. */
  private Uni<Void> run(List<Pending> batch) {
    List<RunRequests.Request> requests = batch.stream().map(Pending::request).toList();
    return transactions
        .run(tx -> runs.startAll(tx, requests))
        .invoke(
            outcomes -> {
              for (int i = 0; i < batch.size(); i++) {
                RunRequests.Outcome outcome = outcomes.get(i);
                if (outcome.refused() != null) {
                  batch.get(i).done().completeExceptionally(outcome.refused());
                } else {
                  batch.get(i).done().complete(outcome.started());
                }
              }
            })
        .replaceWithVoid()
        .onFailure()
        .recoverWithUni(
            e -> {
              if (batch.size() == 1 || Failures.isTransient(e)) {
                batch.forEach(p -> p.done().completeExceptionally(e));
                return Uni.createFrom().voidItem();
              }
              Uni<Void> alone = Uni.createFrom().voidItem();
              for (Pending p : batch) {
                alone = alone.chain(() -> run(List.of(p)));
              }
              return alone;
            });
  }
}
