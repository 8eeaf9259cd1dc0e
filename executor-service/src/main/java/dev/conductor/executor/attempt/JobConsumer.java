package dev.conductor.executor.attempt;

import dev.conductor.events.EventType;
import dev.conductor.events.Schemas;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.executor.pool.ExecutorIdentity;
import dev.conductor.executor.scheduler.Claim;
import dev.conductor.executor.scheduler.SchedulerClient;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.EventConsumer;
import dev.conductor.platform.kafka.Rejected;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Claims and starts the pool's authorized jobs. Returns as soon as the claim is answered, so the
 * next record is processed while this attempt runs on its own slot.
 */
@ApplicationScoped
public class JobConsumer {
  private static final Logger LOG = Logger.getLogger(JobConsumer.class);

  private enum Result {
    STARTED,
    REFUSED,
    SHUTTING_DOWN
  }

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
   * {@code conductor.jobs.<pool>}: {@code job.authorized} is claimed and run; a duplicate delivery
   * is refused by the claim (409) and dropped; other types are ignored.
   */
  @Incoming("jobs")
  public Uni<Void> onJob(Message<byte[]> message) {
    return consumer.process(message, this::apply);
  }

  Uni<Void> apply(Consumed consumed) {
    if (consumed.event().type() != EventType.JOB_AUTHORIZED) {
      return Uni.createFrom().voidItem();
    }
    List<String> violations = Schemas.violations(consumed.event());
    if (!violations.isEmpty()) {
      return Uni.createFrom()
          .failure(new Rejected("job.authorized violates its schema: " + violations));
    }
    return Uni.createFrom()
        .item(() -> claimAndStart(consumed))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .chain(
            result ->
                // Shutting down: never acknowledged, so the group hands it to another executor.
                result == Result.SHUTTING_DOWN
                    ? Uni.createFrom().nothing()
                    : Uni.createFrom().voidItem());
  }

  /** Blocking: waits for a slot, then claims; the slot goes to the attempt or back. */
  private Result claimAndStart(Consumed consumed) {
    JobAuthorized job = consumed.data(JobAuthorized.class);
    try {
      if (!attempts.acquire()) {
        return Result.SHUTTING_DOWN;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.SHUTTING_DOWN;
    }
    boolean handedOver = false;
    try {
      Claim claim = scheduler.claim(job.attemptId(), identity.id());
      if (claim instanceof Claim.Granted granted) {
        attempts.start(job, consumed.event().id(), consumed.traceparent(), granted);
        handedOver = true;
        return Result.STARTED;
      }
      LOG.debugf("attempt %s not claimed: %s", job.attemptId(), ((Claim.Refused) claim).detail());
      return Result.REFUSED;
    } finally {
      if (!handedOver) {
        attempts.release();
      }
    }
  }
}
