package dev.conductor.executor.attempt;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.executor.credential.CredentialBundles;
import dev.conductor.executor.job.Jobs;
import dev.conductor.executor.pool.ExecutorConfig;
import dev.conductor.executor.pool.ExecutorIdentity;
import dev.conductor.executor.scheduler.Claim;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The attempts this executor runs: at most {@code slots} slots' worth at once (a job takes its
 * resource class's cost), each on its own thread of a fixed pool. The slots are taken before the
 * claim and handed to the attempt, so an attempt is never claimed (and its lease and deadline never
 * started) while it would have to queue here: this executor never holds more jobs than its free
 * slots, whatever its consumer has already polled.
 */
@ApplicationScoped
public class Attempts {
  private static final Logger LOG = Logger.getLogger(Attempts.class);
  private static final String SOURCE = Envelope.sourceOf("executor-service");
  private static final int MAX_REPORTED = 256;

  private final ExecutorIdentity identity;
  private final AttemptEvents events;
  private final Jobs jobs;
  private final CredentialBundles bundles;
  private final Clock clock;
  private final Duration lease;
  private final Semaphore slots;
  private final ExecutorService threads;
  private final ScheduledExecutorService timer;
  private final Map<String, AttemptRun> running = new ConcurrentHashMap<>();
  private final Queue<String> reported = new ConcurrentLinkedQueue<>();
  private volatile boolean draining;

  public Attempts(
      ExecutorIdentity identity,
      ExecutorConfig config,
      AttemptEvents events,
      Jobs jobs,
      CredentialBundles bundles,
      Clock clock) {
    this.identity = identity;
    this.events = events;
    this.jobs = jobs;
    this.bundles = bundles;
    this.clock = clock;
    this.lease = config.lease();
    this.slots = new Semaphore(identity.slots());
    this.threads =
        new ThreadPoolExecutor(
            identity.slots(),
            identity.slots(),
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            named("attempt"));
    ScheduledThreadPoolExecutor scheduled =
        new ScheduledThreadPoolExecutor(1, named("attempt-timer"));
    scheduled.setRemoveOnCancelPolicy(true);
    this.timer = scheduled;
  }

  /**
   * The slots the job takes here: its cost, but never more than this executor has (the scheduler
   * then refuses the claim, which it counts against the slots this executor declared).
   */
  public int slotsOf(JobAuthorized job) {
    return Math.min(Math.max(1, job.slots()), identity.slots());
  }

  /**
   * Waits until the job's slots are free; false when the executor is shutting down. The caller must
   * {@link #release} them unless it hands them to {@link #start}.
   */
  public boolean acquire(JobAuthorized job) throws InterruptedException {
    int needed = slotsOf(job);
    while (!draining) {
      if (slots.tryAcquire(needed, 200, TimeUnit.MILLISECONDS)) {
        if (draining) {
          slots.release(needed);
          return false;
        }
        return true;
      }
    }
    return false;
  }

  /**
   * Takes the job's slots if they are free now, without waiting; false when they are not (or the
   * executor is shutting down). The caller must {@link #release} them unless it hands them to
   * {@link #start}.
   */
  public boolean tryAcquire(JobAuthorized job) {
    int needed = slotsOf(job);
    if (draining || !slots.tryAcquire(needed)) {
      return false;
    }
    if (draining) {
      slots.release(needed);
      return false;
    }
    return true;
  }

  /**
   * Attempts that ended here since the last call, their outcomes published: the next claim tells
   * the scheduler, so that their slots are free there too before it has read the outcomes (which
   * free them as well; whichever comes first). Without it a slot freed here would be claimed again
   * before the scheduler's count caught up, and the claim refused.
   */
  public List<String> takeReported() {
    List<String> ids = new ArrayList<>();
    String id;
    while (ids.size() < MAX_REPORTED && (id = reported.poll()) != null) {
      ids.add(id);
    }
    return ids;
  }

  public void release(JobAuthorized job) {
    slots.release(slotsOf(job));
  }

  /** Runs a claimed attempt on the slot the caller acquired. */
  public void start(
      JobAuthorized job, String authorizedId, String traceparent, Claim.Granted claim) {
    long heartbeatMs =
        claim.heartbeatIntervalMs() > 0
            ? claim.heartbeatIntervalMs()
            : lease.dividedBy(3).toMillis();
    // The deadline started at the claim; the job's own is only the latest it could have been.
    Instant deadline = claim.deadline() != null ? claim.deadline() : job.deadline();
    AttemptRun run = new AttemptRun(job, authorizedId, traceparent, heartbeatMs, deadline, this);
    AttemptRun previous = running.putIfAbsent(job.attemptId(), run);
    if (previous != null) {
      // The scheduler granted a claim for an attempt already running here: keep the one running.
      LOG.warnf("attempt %s is already running here; second claim ignored", job.attemptId());
      release(job);
      return;
    }
    try {
      threads.execute(run);
    } catch (RejectedExecutionException e) {
      LOG.warnf(
          "attempt %s claimed while shutting down; its lease will expire and the scheduler"
              + " retries it",
          job.attemptId());
      ended(run);
    }
  }

  /** Stops a running attempt, which then reports {@code attempt.cancelled}; false if not here. */
  public boolean cancel(String attemptId) {
    AttemptRun run = running.get(attemptId);
    return run != null && run.stop(Outcome.Kind.CANCELLED);
  }

  public boolean isRunning(String attemptId) {
    return running.containsKey(attemptId);
  }

  public int runningCount() {
    return running.size();
  }

  /** Slots neither running an attempt nor held by a claim in progress. */
  public int freeSlots() {
    return slots.availablePermits();
  }

  public boolean draining() {
    return draining;
  }

  /**
   * Stops taking attempts and lets the running ones finish within {@code grace}; what is still
   * running then is stopped without an outcome (its lease expires and the scheduler retries it).
   */
  public void drain(Duration grace) {
    draining = true;
    threads.shutdown();
    try {
      if (!running.isEmpty()) {
        LOG.infof(
            "waiting up to %d ms for %d running attempt(s)", grace.toMillis(), running.size());
      }
      if (!threads.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        running.values().forEach(run -> run.stop(Outcome.Kind.ABANDONED));
        if (!threads.awaitTermination(2, TimeUnit.SECONDS)) {
          threads.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      threads.shutdownNow();
    }
    timer.shutdownNow();
  }

  @PreDestroy
  void close() {
    threads.shutdownNow();
    timer.shutdownNow();
  }

  void ended(AttemptRun run) {
    if (running.remove(run.attemptId(), run)) {
      if (run.reported()) {
        reported.add(run.attemptId());
      }
      release(run.job());
    }
  }

  <T> Envelope<T> event(String causationId, EventType type, String runId, T data) {
    return Envelope.causedBy(causationId, type, SOURCE, runId, data, clock);
  }

  String executorId() {
    return identity.id();
  }

  AttemptEvents events() {
    return events;
  }

  Jobs jobs() {
    return jobs;
  }

  CredentialBundles bundles() {
    return bundles;
  }

  Clock clock() {
    return clock;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
