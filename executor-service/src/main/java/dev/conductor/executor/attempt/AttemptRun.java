package dev.conductor.executor.attempt;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.AttemptCancelled;
import dev.conductor.events.data.AttemptFailed;
import dev.conductor.events.data.AttemptHeartbeat;
import dev.conductor.events.data.AttemptStarted;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.AttemptTimedOut;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.executor.credential.Credential;
import dev.conductor.executor.credential.CredentialsUnreadable;
import dev.conductor.executor.job.DeadlineExceeded;
import dev.conductor.executor.job.Job;
import dev.conductor.executor.job.JobContext;
import dev.conductor.executor.job.JobFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One claimed attempt, start to outcome, on its own slot thread: {@code attempt.started}, a
 * heartbeat every interval the claim named, then exactly one outcome event, all caused by the
 * previous step and all in the trace of the {@code job.authorized} that brought it.
 *
 * <p>A stop (cancel, deadline, shutdown) interrupts the job only while the job itself runs, never
 * while an event is being published; the first stop wins, and a stop that comes after the job
 * returned changes nothing.
 */
final class AttemptRun implements Runnable {
  private static final Logger LOG = Logger.getLogger(AttemptRun.class);

  private final JobAuthorized job;
  private final String authorizedId;
  private final String traceparent;
  private final long heartbeatMs;
  private final Instant deadline;
  private final Attempts attempts;

  private final Object lock = new Object();
  private Thread jobThread;
  private Outcome.Kind stop;
  private boolean finished;
  private ScheduledFuture<?> heartbeats;
  private ScheduledFuture<?> deadlineTimer;
  private String startedId;
  private volatile boolean reported;

  AttemptRun(
      JobAuthorized job,
      String authorizedId,
      String traceparent,
      long heartbeatMs,
      Instant deadline,
      Attempts attempts) {
    this.job = job;
    this.authorizedId = authorizedId;
    this.traceparent = traceparent;
    this.heartbeatMs = heartbeatMs;
    this.deadline = deadline;
    this.attempts = attempts;
  }

  String attemptId() {
    return job.attemptId();
  }

  JobAuthorized job() {
    return job;
  }

  /** Whether its outcome was published and acknowledged: it no longer needs its slots. */
  boolean reported() {
    return reported;
  }

  /** Asks the attempt to stop; false when it already ended or is already stopping. */
  boolean stop(Outcome.Kind reason) {
    synchronized (lock) {
      if (finished || stop != null) {
        return false;
      }
      stop = reason;
      if (jobThread != null) {
        jobThread.interrupt();
      }
      return true;
    }
  }

  @Override
  public void run() {
    try {
      Envelope<AttemptStarted> started =
          attempts.event(
              authorizedId,
              EventType.ATTEMPT_STARTED,
              job.runId(),
              new AttemptStarted(
                  job.runId(), job.step(), job.attemptId(), attempts.executorId(), now()));
      startedId = started.id();
      attempts.events().emit(started, traceparent);
      LOG.infof(
          "attempt %s (run %s, step %s, %s) started",
          job.attemptId(), job.runId(), job.step(), job.jobType());
      startTimers();
      Outcome outcome = execute();
      finish(outcome);
    } catch (InterruptedException e) {
      LOG.warnf(
          "attempt %s abandoned by shutdown before its outcome was published", job.attemptId());
    } catch (RuntimeException e) {
      LOG.errorf(e, "attempt %s broke the executor", job.attemptId());
    } finally {
      synchronized (lock) {
        finished = true;
        cancelTimers();
      }
      attempts.ended(this);
    }
  }

  private void startTimers() {
    synchronized (lock) {
      heartbeats =
          attempts
              .timer()
              .scheduleAtFixedRate(
                  this::heartbeat, heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
      if (deadline != null) {
        long delay = Math.max(0, Duration.between(now(), deadline).toMillis());
        deadlineTimer =
            attempts
                .timer()
                .schedule(() -> stop(Outcome.Kind.TIMED_OUT), delay, TimeUnit.MILLISECONDS);
      }
    }
  }

  private void cancelTimers() {
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
    }
  }

  /** Under the lock, so no heartbeat is sent after the outcome. */
  private void heartbeat() {
    synchronized (lock) {
      if (finished) {
        return;
      }
      attempts
          .events()
          .send(
              attempts.event(
                  startedId,
                  EventType.ATTEMPT_HEARTBEAT,
                  job.runId(),
                  new AttemptHeartbeat(
                      job.runId(), job.step(), job.attemptId(), attempts.executorId(), now())),
              traceparent);
    }
  }

  private Outcome execute() {
    synchronized (lock) {
      if (stop != null) {
        return Outcome.of(stop);
      }
      jobThread = Thread.currentThread();
    }
    Outcome outcome;
    try {
      outcome = runJob();
    } finally {
      synchronized (lock) {
        jobThread = null;
        // A stop that raced with the job's end must not interrupt what comes next.
        Thread.interrupted();
      }
    }
    synchronized (lock) {
      // A stop requested while the job ran wins over however the job reacted to the interrupt.
      return stop != null && outcome.kind() != Outcome.Kind.SUCCEEDED ? Outcome.of(stop) : outcome;
    }
  }

  private Outcome runJob() {
    Optional<Job> type = attempts.jobs().of(job.jobType());
    List<Credential> credentials;
    try {
      credentials = credentials();
    } catch (CredentialsUnreadable e) {
      LOG.warnf("attempt %s: credentials unreadable: %s", job.attemptId(), e.getMessage());
      return Outcome.failed("credentials unreadable");
    }
    if (type.isEmpty()) {
      return Outcome.failed("unknown job type '" + job.jobType() + "'");
    }
    JobContext context =
        new JobContext(
            job.runId(),
            job.step(),
            job.attemptId(),
            job.spec(),
            job.parameters(),
            credentials,
            deadline,
            attempts.clock());
    try {
      String output = type.get().run(context);
      return Outcome.succeeded(summary(output, credentials));
    } catch (JobFailure e) {
      return Outcome.failed(e.getMessage());
    } catch (DeadlineExceeded e) {
      return Outcome.of(Outcome.Kind.TIMED_OUT);
    } catch (InterruptedException e) {
      synchronized (lock) {
        return Outcome.of(stop == null ? Outcome.Kind.ABANDONED : stop);
      }
    } catch (Exception e) {
      return Outcome.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private List<Credential> credentials() throws CredentialsUnreadable {
    if (job.credentials() == null || job.credentials().isBlank()) {
      return List.of();
    }
    List<Credential> credentials = attempts.bundles().open(job.credentials());
    // Never the secret: which resources, and until when.
    LOG.infof(
        "attempt %s: credentials for %s",
        job.attemptId(),
        credentials.stream().map(c -> c.resource() + " until " + c.expiresAt()).toList());
    return credentials;
  }

  private static String summary(String output, List<Credential> credentials) {
    String text = output == null || output.isBlank() ? "done" : output;
    if (!credentials.isEmpty()) {
      text +=
          "; credentials for "
              + String.join(
                  ", ", credentials.stream().map(Credential::resource).distinct().toList());
    }
    return text;
  }

  private void finish(Outcome outcome) throws InterruptedException {
    synchronized (lock) {
      finished = true;
      cancelTimers();
    }
    String executor = attempts.executorId();
    Instant at = now();
    Envelope<?> event =
        switch (outcome.kind()) {
          case SUCCEEDED ->
              attempts.event(
                  startedId,
                  EventType.ATTEMPT_SUCCEEDED,
                  job.runId(),
                  new AttemptSucceeded(
                      job.runId(), job.step(), job.attemptId(), executor, outcome.text(), at));
          case FAILED ->
              attempts.event(
                  startedId,
                  EventType.ATTEMPT_FAILED,
                  job.runId(),
                  new AttemptFailed(
                      job.runId(), job.step(), job.attemptId(), executor, outcome.text(), at));
          case TIMED_OUT ->
              attempts.event(
                  startedId,
                  EventType.ATTEMPT_TIMED_OUT,
                  job.runId(),
                  new AttemptTimedOut(job.runId(), job.step(), job.attemptId(), executor, at));
          case CANCELLED ->
              attempts.event(
                  startedId,
                  EventType.ATTEMPT_CANCELLED,
                  job.runId(),
                  new AttemptCancelled(job.runId(), job.step(), job.attemptId(), executor, at));
          case ABANDONED -> null;
        };
    if (event == null) {
      LOG.warnf(
          "attempt %s stopped by shutdown; its lease will expire and the scheduler retries it",
          job.attemptId());
      return;
    }
    attempts.events().emit(event, traceparent);
    reported = true;
    LOG.infof(
        "attempt %s %s%s",
        job.attemptId(),
        event.type().shortName().substring("attempt.".length()),
        outcome.text() == null ? "" : ": " + outcome.text());
  }

  private Instant now() {
    return attempts.clock().instant();
  }
}
