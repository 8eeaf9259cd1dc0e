package dev.conductor.executor.attempt;

import dev.conductor.events.EventType;
import dev.conductor.events.Schemas;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.executor.pool.ExecutorIdentity;
import dev.conductor.executor.scheduler.Claim;
import dev.conductor.executor.scheduler.SchedulerClient;
import dev.conductor.executor.scheduler.SchedulerUnavailable;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.EventConsumer;
import dev.conductor.platform.kafka.Rejected;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Claims and starts the pool's authorized jobs, a poll at a time: claims are in flight together,
 * each on a local slot taken before it, and every attempt runs on its own slot.
 */
@ApplicationScoped
public class JobConsumer {
  private static final Logger LOG = Logger.getLogger(JobConsumer.class);

  private final EventConsumer consumer;
  private final SchedulerClient scheduler;
  private final ExecutorIdentity identity;
  private final Attempts attempts;

  public JobConsumer(
      EventConsumer consumer,
      SchedulerClient scheduler,
      ExecutorIdentity identity,
      Attempts attempts) {
    this.consumer = consumer;
    this.scheduler = scheduler;
    this.identity = identity;
    this.attempts = attempts;
  }

  /**
   * {@code conductor.jobs.<pool>}: each {@code job.authorized} of a poll is claimed as soon as a
   * local slot is free, without waiting for the previous claim's answer, and runs once granted; a
   * duplicate delivery is refused by the claim (409) and dropped; other types are skipped. The poll
   * is acknowledged once every claim is answered. Records polled beyond the free slots wait here
   * unclaimed, so their deadline (which starts at the claim) does not run.
   */
  @Incoming("jobs")
  public Uni<Void> onJobs(KafkaRecordBatch<String, byte[]> batch) {
    return consumer.process(batch, Set.of(EventType.JOB_AUTHORIZED), this::claimAll);
  }

  private Uni<Void> claimAll(List<Consumed> jobs) {
    return Uni.createFrom()
        .item(() -> claimsInOrder(jobs))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .chain(
            claims -> {
              if (claims == null) {
                // Shutting down: never acknowledged, so the group hands them to another executor.
                return Uni.createFrom().nothing();
              }
              return claims.isEmpty()
                  ? Uni.createFrom().voidItem()
                  : Uni.join().all(claims).andCollectFailures().replaceWithVoid();
            });
  }

  /**
   * Blocking: takes the slots of each job in poll order and starts its claim at once (memoized,
   * joined later), so the claims are in flight together and a job waiting for slots waits only for
   * claims already on their way or attempts already running. Null when shutting down.
   */
  private List<Uni<Void>> claimsInOrder(List<Consumed> jobs) {
    List<Uni<Void>> claims = new ArrayList<>();
    for (Consumed consumed : jobs) {
      List<String> violations = Schemas.violations(consumed.event());
      if (!violations.isEmpty()) {
        claims.add(
            started(
                consumer.deadLetter(
                    consumed, "rejected: job.authorized violates its schema: " + violations)));
        continue;
      }
      try {
        if (!attempts.acquire(consumed.data(JobAuthorized.class))) {
          return null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      // Started before the next job waits for slots: a poll with more jobs than free slots
      // must not wait on claims it has not sent (they would never free a slot).
      claims.add(started(claim(consumed)));
    }
    return claims;
  }

  private static Uni<Void> started(Uni<Void> work) {
    Uni<Void> memoized = work.memoize().indefinitely();
    memoized.subscribe().with(ok -> {}, error -> {});
    return memoized;
  }

  /**
   * One claim on the slot already taken; completes with its first answer. A scheduler that cannot
   * answer (down, 5xx) is asked again with backoff, in the background, until the job's deadline:
   * the poll is not held up, and if this process dies meanwhile the scheduler's sweeper takes the
   * never-claimed attempt back. Only a claim the scheduler rejects for good (404) goes to the DLQ.
   */
  private Uni<Void> claim(Consumed consumed) {
    JobAuthorized job = consumed.data(JobAuthorized.class);
    // Taken once: a retry tells the scheduler the same ended attempts (it may not have heard).
    List<String> ended = attempts.takeReported();
    return ask(job, ended)
        .onItemOrFailure()
        .transformToUni(
            (answer, error) -> {
              if (error == null) {
                settle(consumed, job, answer);
                return Uni.createFrom().voidItem();
              }
              if (error instanceof SchedulerUnavailable) {
                LOG.warnf("claim of %s: %s; retrying", job.attemptId(), error.getMessage());
                retryUntilDeadline(consumed, job, ended);
                return Uni.createFrom().voidItem();
              }
              attempts.release(job);
              return consumer.deadLetter(consumed, "rejected: " + error.getMessage());
            });
  }

  private void retryUntilDeadline(Consumed consumed, JobAuthorized job, List<String> ended) {
    Instant deadline = job.deadline() == null ? Instant.now().plusSeconds(60) : job.deadline();
    ask(job, ended)
        .onFailure(SchedulerUnavailable.class)
        .retry()
        .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
        .expireAt(deadline.toEpochMilli())
        .subscribe()
        .with(
            answer -> settle(consumed, job, answer),
            error -> {
              attempts.release(job);
              if (!(error instanceof Rejected)) {
                // Mutiny reports the expiry as its own exception, the last 5xx as its cause.
                LOG.warnf(
                    "gave up claiming %s at its deadline (%s); the scheduler's sweeper takes it back",
                    job.attemptId(), error.getMessage());
              } else {
                consumer
                    .deadLetter(consumed, "rejected: " + error.getMessage())
                    .subscribe()
                    .with(ok -> {}, e -> LOG.errorf("cannot dead-letter: %s", e.getMessage()));
              }
            });
  }

  private Uni<Claim> ask(JobAuthorized job, List<String> ended) {
    return Uni.createFrom()
        .completionStage(
            () -> scheduler.claimAsync(job.attemptId(), job.dispatch(), identity.id(), ended))
        .emitOn(Infrastructure.getDefaultWorkerPool());
  }

  /** The slot goes to the attempt, or back. */
  private void settle(Consumed consumed, JobAuthorized job, Claim answer) {
    if (answer instanceof Claim.Granted granted) {
      attempts.start(job, consumed.event().id(), consumed.traceparent(), granted);
    } else {
      attempts.release(job);
      Claim.Refused refused = (Claim.Refused) answer;
      if (refused.noCapacity()) {
        // This executor had the slot but the scheduler did not count it as free (the registration
        // lapsed, the pool was paused or shrank): the attempt is back in the queue.
        LOG.infof("attempt %s not claimed: %s", job.attemptId(), refused.detail());
      } else {
        LOG.debugf("attempt %s not claimed: %s", job.attemptId(), refused.detail());
      }
    }
  }
}
