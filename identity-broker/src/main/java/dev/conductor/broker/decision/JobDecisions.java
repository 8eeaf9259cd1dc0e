package dev.conductor.broker.decision;

import dev.conductor.broker.credential.CredentialFailure;
import dev.conductor.broker.credential.CredentialMinter;
import dev.conductor.broker.credential.Lease;
import dev.conductor.broker.credential.Leases;
import dev.conductor.broker.credential.Revocations;
import dev.conductor.broker.policy.PolicyStore;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.CredentialIssued;
import dev.conductor.events.data.DecisionRecorded;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.events.data.JobCredentialFailed;
import dev.conductor.events.data.JobDenied;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.platform.db.inbox.InboxConsumer;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.PollHandler;
import dev.conductor.platform.kafka.Rejected;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Decides every scheduled attempt. The decision row and all the events it causes are written in one
 * transaction, the decision first: no credential leaves the broker (through the outbox) unless its
 * decision is durably stored.
 */
@ApplicationScoped
public class JobDecisions {
  private static final Logger LOG = Logger.getLogger(JobDecisions.class);
  static final String SOURCE = Envelope.sourceOf("identity-broker");

  private final InboxConsumer consumer;
  private final PolicyStore policies;
  private final Decisions decisions;
  private final CredentialMinter minter;
  private final Leases leases;
  private final Revocations revocations;
  private final Outbox outbox;
  private final Clock clock;

  public JobDecisions(
      InboxConsumer consumer,
      PolicyStore policies,
      Decisions decisions,
      CredentialMinter minter,
      Leases leases,
      Revocations revocations,
      Outbox outbox,
      Clock clock) {
    this.consumer = consumer;
    this.policies = policies;
    this.decisions = decisions;
    this.minter = minter;
    this.leases = leases;
    this.revocations = revocations;
    this.outbox = outbox;
    this.clock = clock;
  }

  /**
   * Consumes {@code conductor.runs} ({@code job.scheduled}, and {@code attempt.fenced}, which
   * revokes); a duplicate, whether the same event again or another event for an attempt already
   * decided, changes nothing. A fence always follows its attempt's dispatch on the run's partition,
   * so deciding a poll's jobs before revoking its fences keeps their order.
   */
  @Incoming("scheduled")
  public Uni<Void> onScheduled(KafkaRecordBatch<String, byte[]> batch) {
    return consumer.inPollTransaction(
        batch,
        Set.of(EventType.JOB_SCHEDULED, EventType.ATTEMPT_FENCED),
        tx ->
            PollHandler.together(
                events -> decideAll(tx, events).chain(() -> revocations.revokeAll(tx, events))));
  }

  /**
   * Decides a poll's jobs and stores the decisions in one round trip, then acts on each newly
   * decided one in poll order. A job that names no run, attempt, step or pool fails the poll (it is
   * then replayed one event at a time, and only that one goes to the DLQ).
   */
  private Uni<Void> decideAll(SqlConnection tx, List<Consumed> events) {
    Instant now = clock.instant();
    List<Consumed> jobs = new ArrayList<>();
    List<Decisions.JobDecision> decided = new ArrayList<>();
    for (Consumed consumed : events) {
      if (consumed.event().type() != EventType.JOB_SCHEDULED) {
        continue;
      }
      JobScheduled job = consumed.data(JobScheduled.class);
      if (blank(job.runId()) || blank(job.attemptId()) || blank(job.step()) || blank(job.pool())) {
        throw new Rejected("job.scheduled lacks runId, attemptId, step or pool");
      }
      jobs.add(consumed);
      decided.add(
          new Decisions.JobDecision(
              JobPolicy.decide(policies.policy(), job, UUID.randomUUID().toString(), now),
              Math.max(1, job.dispatch())));
    }
    return decisions
        .insertJobs(tx, decided)
        .chain(
            stored -> {
              List<Integer> fresh = new ArrayList<>();
              for (int i = 0; i < jobs.size(); i++) {
                if (stored.get(i)) {
                  fresh.add(i);
                } else {
                  LOG.debugf(
                      "dispatch %d of attempt %s was already decided; ignoring",
                      decided.get(i).dispatch(), decided.get(i).decision().attemptId());
                }
              }
              return PollHandler.inOrder(
                  fresh,
                  i ->
                      act(
                          tx,
                          jobs.get(i),
                          decided.get(i).decision(),
                          decided.get(i).dispatch(),
                          now));
            });
  }

  /** What a newly stored decision causes: its record, then the job authorized or denied. */
  private Uni<Void> act(
      SqlConnection tx, Consumed consumed, Decision decision, int dispatch, Instant now) {
    JobScheduled job = consumed.data(JobScheduled.class);
    // A new dispatch: whatever an earlier one was issued will never be used (its claim is
    // refused), so it is revoked before anything new is minted.
    Uni<Void> earlier =
        dispatch > 1
            ? revocations.revoke(tx, consumed, job.attemptId(), "redispatched")
            : Uni.createFrom().voidItem();
    return earlier
        .chain(() -> emit(tx, consumed, EventType.DECISION_RECORDED, job, recorded(decision)))
        .chain(
            () ->
                decision.allowed()
                    ? authorize(tx, consumed, job, decision, now)
                    : deny(tx, consumed, job, decision));
  }

  private Uni<Void> deny(SqlConnection tx, Consumed consumed, JobScheduled job, Decision decision) {
    String reason = String.join("; ", decision.reasons());
    return emit(
        tx,
        consumed,
        EventType.JOB_DENIED,
        job,
        new JobDenied(job.runId(), job.step(), job.attemptId(), decision.decisionId(), reason));
  }

  private Uni<Void> authorize(
      SqlConnection tx, Consumed consumed, JobScheduled job, Decision decision, Instant now) {
    CredentialMinter.Minted minted;
    try {
      minted = minter.mint(job, now);
    } catch (CredentialFailure e) {
      return emit(
          tx,
          consumed,
          EventType.JOB_CREDENTIAL_FAILED,
          job,
          new JobCredentialFailed(
              job.runId(), job.step(), job.attemptId(), decision.decisionId(), e.getMessage()));
    }
    Uni<Void> chain =
        leases.insert(
            tx, decision.decisionId(), job.runId(), job.attemptId(), minted.leases(), now);
    for (Lease lease : minted.leases()) {
      chain =
          chain.chain(
              () ->
                  emit(
                      tx,
                      consumed,
                      EventType.CREDENTIAL_ISSUED,
                      job,
                      new CredentialIssued(
                          lease.leaseId(),
                          job.runId(),
                          job.attemptId(),
                          lease.kind(),
                          lease.expiresAt(),
                          lease.fingerprint())));
    }
    JobAuthorized authorized =
        new JobAuthorized(
            job.runId(),
            job.step(),
            job.attemptId(),
            job.attemptNumber(),
            job.jobType(),
            job.spec(),
            job.parameters(),
            job.deadline(),
            decision.decisionId(),
            minted.bundle(),
            job.dispatch(),
            job.slots());
    return chain.chain(() -> emit(tx, consumed, EventType.JOB_AUTHORIZED, job, authorized));
  }

  private Uni<Void> emit(
      SqlConnection tx, Consumed consumed, EventType type, JobScheduled job, Object data) {
    Envelope<Object> event =
        Envelope.causedBy(consumed.event().id(), type, SOURCE, job.runId(), data, clock);
    String topic = type == EventType.JOB_AUTHORIZED ? Topics.jobs(job.pool()) : type.topic();
    return outbox.append(tx, event, topic, consumed.traceparent());
  }

  private static DecisionRecorded recorded(Decision d) {
    return new DecisionRecorded(
        d.decisionId(),
        d.runId(),
        d.attemptId(),
        d.effect(),
        d.principal(),
        d.runAs(),
        d.action(),
        d.resources(),
        d.matchedAssignments(),
        d.policyVersion(),
        d.reasons());
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
