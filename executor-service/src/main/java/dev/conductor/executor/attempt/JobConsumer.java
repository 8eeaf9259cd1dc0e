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
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Claims and starts the pool's authorized jobs, a poll at a time: the jobs that have free local
 * slots are claimed together in one request, each on a local slot taken before it, and every
 * attempt runs on its own slot.
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
   * {@code conductor.jobs.<pool>}: the {@code job.authorized} of a poll are claimed in batches,
   * each batch as many jobs as have free local slots, without waiting for an earlier batch's
   * answer; each runs once granted; a duplicate delivery is refused by the claim and dropped; other
   * types are skipped. The poll is acknowledged once every claim is answered. Records polled beyond
   * the free slots wait here unclaimed, so their deadline (which starts at the claim) does not run.
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
   * Blocking: takes the slots of each job in poll order; the jobs whose slots were free at once go
   * out together as one claim (started at once, memoized, joined later) before this waits for the
   * next job's slots, which only claims already on their way or attempts already running can free.
   * Null when shutting down.
   */
  private List<Uni<Void>> claimsInOrder(List<Consumed> jobs) {
    List<Uni<Void>> claims = new ArrayList<>();
    List<Consumed> batch = new ArrayList<>();
    Set<String> inBatch = new HashSet<>();
    for (Consumed consumed : jobs) {
      String unclaimable = unclaimable(consumed);
      if (unclaimable != null) {
        claims.add(started(consumer.deadLetter(consumed, "rejected: " + unclaimable)));
        continue;
      }
      JobAuthorized job = consumed.data(JobAuthorized.class);
      if (inBatch.contains(job.attemptId())) {
        // The same attempt twice in one poll (a redelivery, or two dispatches of it): a batch
        // names an attempt once, so the copies go in two batches, and one of them wins, as two
        // racing claims would.
        claims.add(started(claim(List.copyOf(batch))));
        batch.clear();
        inBatch.clear();
      }
      if (!attempts.tryAcquire(job)) {
        // Sent before waiting: a batch waiting for slots would never free one.
        if (!batch.isEmpty()) {
          claims.add(started(claim(List.copyOf(batch))));
          batch.clear();
          inBatch.clear();
        }
        try {
          if (!attempts.acquire(job)) {
            return null;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
      batch.add(consumed);
      inBatch.add(job.attemptId());
    }
    if (!batch.isEmpty()) {
      claims.add(started(claim(batch)));
    }
    return claims;
  }

  /**
   * Why a record can never be claimed (the scheduler would refuse the whole batch it is in), or
   * null: its schema, or no dispatch to claim.
   */
  private static String unclaimable(Consumed consumed) {
    List<String> violations = Schemas.violations(consumed.event());
    if (!violations.isEmpty()) {
      return "job.authorized violates its schema: " + violations;
    }
    return consumed.data(JobAuthorized.class).dispatch() < 1
        ? "job.authorized names no dispatch"
        : null;
  }

  private static Uni<Void> started(Uni<Void> work) {
    Uni<Void> memoized = work.memoize().indefinitely();
    memoized.subscribe().with(ok -> {}, error -> {});
    return memoized;
  }

  /**
   * One claim of a batch whose slots are already taken; completes with its first answer. A
   * scheduler that cannot answer (down, 5xx) is asked again with backoff, in the background, until
   * the earliest deadline of the batch: the poll is not held up, and if this process dies meanwhile
   * the scheduler's sweeper takes the never-claimed attempts back. Only an attempt the scheduler
   * does not know in this pool goes to the DLQ.
   */
  private Uni<Void> claim(List<Consumed> batch) {
    List<JobAuthorized> jobs = batch.stream().map(c -> c.data(JobAuthorized.class)).toList();
    // Taken once: a retry tells the scheduler the same ended attempts (it may not have heard).
    List<String> ended = attempts.takeReported();
    return ask(jobs, ended)
        .onItemOrFailure()
        .transformToUni(
            (answers, error) -> {
              if (error == null) {
                settleAll(batch, jobs, answers);
              } else {
                LOG.warnf("claim of %d attempts: %s; retrying", jobs.size(), error.getMessage());
                retryUntilDeadline(batch, jobs, ended);
              }
              return Uni.createFrom().voidItem();
            });
  }

  private void retryUntilDeadline(
      List<Consumed> batch, List<JobAuthorized> jobs, List<String> ended) {
    Instant deadline =
        jobs.stream()
            .map(j -> j.deadline() == null ? Instant.now().plusSeconds(60) : j.deadline())
            .min(Instant::compareTo)
            .orElseThrow();
    ask(jobs, ended)
        .onFailure(SchedulerUnavailable.class)
        .retry()
        .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
        .expireAt(deadline.toEpochMilli())
        .subscribe()
        .with(
            answers -> settleAll(batch, jobs, answers),
            error -> {
              jobs.forEach(attempts::release);
              // Mutiny reports the expiry as its own exception, the last 5xx as its cause.
              LOG.warnf(
                  "gave up claiming %d attempts at the deadline (%s); the scheduler's sweeper"
                      + " takes them back",
                  jobs.size(), error.getMessage());
            });
  }

  private Uni<List<Claim>> ask(List<JobAuthorized> jobs, List<String> ended) {
    List<SchedulerClient.Wanted> wanted =
        jobs.stream().map(j -> new SchedulerClient.Wanted(j.attemptId(), j.dispatch())).toList();
    return Uni.createFrom()
        .completionStage(
            () -> scheduler.claimAllAsync(identity.pool(), identity.id(), wanted, ended))
        .emitOn(Infrastructure.getDefaultWorkerPool());
  }

  private void settleAll(List<Consumed> batch, List<JobAuthorized> jobs, List<Claim> answers) {
    for (int i = 0; i < jobs.size(); i++) {
      settle(batch.get(i), jobs.get(i), answers.get(i));
    }
  }

  /** The slot goes to the attempt, or back. */
  private void settle(Consumed consumed, JobAuthorized job, Claim answer) {
    if (answer instanceof Claim.Granted granted) {
      attempts.start(job, consumed.event().id(), consumed.traceparent(), granted);
      return;
    }
    attempts.release(job);
    if (answer instanceof Claim.Unknown unknown) {
      consumer
          .deadLetter(consumed, "rejected: " + unknown.detail())
          .subscribe()
          .with(ok -> {}, e -> LOG.errorf("cannot dead-letter: %s", e.getMessage()));
      return;
    }
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
