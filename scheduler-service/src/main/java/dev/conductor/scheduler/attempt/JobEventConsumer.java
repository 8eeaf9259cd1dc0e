package dev.conductor.scheduler.attempt;

import dev.conductor.events.EventType;
import dev.conductor.events.data.AttemptCancelled;
import dev.conductor.events.data.AttemptFailed;
import dev.conductor.events.data.AttemptHeartbeat;
import dev.conductor.events.data.AttemptStarted;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.AttemptTimedOut;
import dev.conductor.events.data.JobCredentialFailed;
import dev.conductor.events.data.JobDenied;
import dev.conductor.platform.db.inbox.InboxConsumer;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.PollHandler;
import dev.conductor.scheduler.dispatch.AtCommit;
import dev.conductor.scheduler.dispatch.Cause;
import dev.conductor.scheduler.dispatch.Dispatcher;
import dev.conductor.scheduler.slot.SlotLedger;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Applies what executors and the broker report about attempts. */
@ApplicationScoped
public class JobEventConsumer {
  private static final Set<EventType> HANDLED =
      EnumSet.of(
          EventType.ATTEMPT_STARTED,
          EventType.ATTEMPT_HEARTBEAT,
          EventType.ATTEMPT_SUCCEEDED,
          EventType.ATTEMPT_FAILED,
          EventType.ATTEMPT_TIMED_OUT,
          EventType.ATTEMPT_CANCELLED,
          EventType.JOB_DENIED,
          EventType.JOB_CREDENTIAL_FAILED);

  private final InboxConsumer consumer;
  private final Outcomes outcomes;

  private final Dispatcher dispatcher;
  private final SlotLedger ledger;
  private final ReadHorizon horizon;

  public JobEventConsumer(
      InboxConsumer consumer,
      Outcomes outcomes,
      Dispatcher dispatcher,
      SlotLedger ledger,
      ReadHorizon horizon) {
    this.consumer = consumer;
    this.outcomes = outcomes;
    this.dispatcher = dispatcher;
    this.ledger = ledger;
    this.horizon = horizon;
  }

  /**
   * {@code conductor.attempts.<pool>} and the broker's {@code conductor.job-events}: moves
   * attempts, frees slots, advances runs; a duplicate is skipped by the inbox, and a different
   * event with the same effect by the attempt's status.
   */
  @Incoming("job-events")
  public Uni<Void> onJobEvents(KafkaRecordBatch<String, byte[]> batch) {
    long newest =
        batch.getRecords().stream().mapToLong(r -> r.getTimestamp().toEpochMilli()).max().orElse(0);
    return consumer
        .inPollTransaction(
            batch, HANDLED, tx -> pollHandler(tx, AtCommit.forPoll(dispatcher, ledger)))
        .invoke(() -> horizon.read(newest));
  }

  /**
   * The poll's {@code attempt.started} all at once ({@link Outcomes#startedAll}), then its {@code
   * attempt.succeeded} ({@link Outcomes#succeededAll}), then its other events one by one in poll
   * order. Starts first is safe because an attempt's start comes before anything else about it (its
   * executor publishes it first, on the run's partition). Successes go together only when the
   * poll's other events are heartbeats: a failure or denial in the same poll may end a run that a
   * success would advance, so then everything after the starts goes in poll order.
   */
  private PollHandler pollHandler(SqlConnection tx, AtCommit end) {
    return new PollHandler() {
      @Override
      public Uni<Void> apply(Consumed consumed) {
        return JobEventConsumer.this.apply(tx, consumed, end.causeOf(consumed));
      }

      @Override
      public Uni<Void> applyAll(List<Consumed> firstSeen) {
        List<String> attemptIds = new ArrayList<>();
        List<String> executorIds = new ArrayList<>();
        List<Outcomes.Success> successes = new ArrayList<>();
        List<Consumed> rest = new ArrayList<>();
        for (Consumed consumed : firstSeen) {
          if (consumed.event().type() == EventType.ATTEMPT_STARTED) {
            AttemptStarted e = consumed.data(AttemptStarted.class);
            attemptIds.add(e.attemptId());
            executorIds.add(e.executorId());
          } else if (consumed.event().type() == EventType.ATTEMPT_SUCCEEDED) {
            successes.add(
                new Outcomes.Success(
                    consumed.data(AttemptSucceeded.class).attemptId(), end.causeOf(consumed)));
            rest.add(consumed);
          } else {
            rest.add(consumed);
          }
        }
        boolean onlyHeartbeats =
            rest.stream()
                .map(c -> c.event().type())
                .allMatch(
                    t -> t == EventType.ATTEMPT_SUCCEEDED || t == EventType.ATTEMPT_HEARTBEAT);
        Uni<Void> started = outcomes.startedAll(tx, attemptIds, executorIds);
        if (!onlyHeartbeats) {
          return started.chain(() -> PollHandler.super.applyAll(rest));
        }
        List<Consumed> heartbeats =
            rest.stream().filter(c -> c.event().type() == EventType.ATTEMPT_HEARTBEAT).toList();
        return started
            .chain(() -> outcomes.succeededAll(tx, successes))
            .chain(() -> PollHandler.super.applyAll(heartbeats));
      }

      @Override
      public Uni<Void> beforeCommit() {
        return end.beforeCommit(tx);
      }
    };
  }

  /** One event of a poll; starts never come here ({@link #pollHandler} applies them together). */
  private Uni<Void> apply(SqlConnection tx, Consumed consumed, Cause cause) {
    return switch (consumed.event().type()) {
      case ATTEMPT_HEARTBEAT ->
          outcomes.heartbeat(tx, consumed.data(AttemptHeartbeat.class).attemptId());
      case ATTEMPT_SUCCEEDED ->
          outcomes.ended(
              tx, cause, consumed.data(AttemptSucceeded.class).attemptId(), Ending.succeeded());
      case ATTEMPT_FAILED -> {
        AttemptFailed e = consumed.data(AttemptFailed.class);
        yield outcomes.ended(tx, cause, e.attemptId(), Ending.failed(e.error()));
      }
      case ATTEMPT_TIMED_OUT -> {
        AttemptTimedOut e = consumed.data(AttemptTimedOut.class);
        yield outcomes.ended(
            tx, cause, e.attemptId(), Ending.timedOut("attempt timed out at its deadline"));
      }
      case ATTEMPT_CANCELLED -> {
        AttemptCancelled e = consumed.data(AttemptCancelled.class);
        yield outcomes.ended(
            tx, cause, e.attemptId(), Ending.cancelled("cancelled by executor " + e.executorId()));
      }
      case JOB_DENIED -> {
        JobDenied e = consumed.data(JobDenied.class);
        yield outcomes.ended(
            tx, cause, e.attemptId(), Ending.denied(describe(e.reason(), e.decisionId())));
      }
      case JOB_CREDENTIAL_FAILED -> {
        JobCredentialFailed e = consumed.data(JobCredentialFailed.class);
        yield outcomes.ended(
            tx,
            cause,
            e.attemptId(),
            Ending.credentialFailed(describe(e.reason(), e.decisionId())));
      }
      default -> Uni.createFrom().voidItem();
    };
  }

  private static String describe(String reason, String decisionId) {
    return (reason == null ? "no reason given" : reason)
        + (decisionId == null ? "" : " (decision " + decisionId + ")");
  }
}
