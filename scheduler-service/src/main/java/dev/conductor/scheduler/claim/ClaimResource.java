package dev.conductor.scheduler.claim;

import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.attempt.AttemptRow;
import dev.conductor.scheduler.attempt.AttemptStore;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Executors claim an attempt before running it. Exactly one claim wins (a guarded UPDATE from
 * {@code scheduled}); every other one gets 409 and must drop the job.
 */
@Path("/api/v1/attempts/{attemptId}/claim")
@Produces(MediaType.APPLICATION_JSON)
public class ClaimResource {
  public record ClaimRequest(String executorId) {}

  public record Claimed(Instant leaseExpiresAt, long heartbeatIntervalMs) {}

  private final Access access;
  private final CurrentCaller current;
  private final Transactions transactions;
  private final AttemptStore attempts;
  private final Clock clock;
  private final int leaseSeconds;

  public ClaimResource(
      Access access,
      CurrentCaller current,
      Transactions transactions,
      AttemptStore attempts,
      Clock clock,
      Settings settings) {
    this.access = access;
    this.current = current;
    this.transactions = transactions;
    this.attempts = attempts;
    this.clock = clock;
    this.leaseSeconds = settings.attemptLeaseSeconds();
  }

  @POST
  public Uni<Claimed> claim(@PathParam("attemptId") String attemptId, ClaimRequest body) {
    Caller caller = current.get();
    UUID id = parse(attemptId);
    // The scope is the attempt's pool, so the attempt is looked up before the permission check.
    return attempts
        .find(transactions.pool(), id)
        .map(found -> found.orElseThrow(() -> ProblemException.notFound("attempt " + attemptId)))
        .chain(attempt -> access.require(caller, "attempt.claim", "/pools/" + attempt.pool()))
        .chain(
            allowed -> {
              if (body == null || body.executorId() == null || body.executorId().isBlank()) {
                throw ProblemException.badRequest("/executorId", "executorId is required");
              }
              Instant leaseUntil = clock.instant().plusSeconds(leaseSeconds);
              return transactions.run(tx -> attempts.claim(tx, id, body.executorId(), leaseUntil));
            })
        .chain(
            claimed ->
                claimed.isPresent()
                    ? Uni.createFrom()
                        .item(new Claimed(claimed.get().leaseExpiresAt(), leaseSeconds * 1000L / 3))
                    : conflict(id));
  }

  /** Names the state that made the claim lose: already claimed, running, ended, cancelled. */
  private Uni<Claimed> conflict(UUID id) {
    return attempts
        .find(transactions.pool(), id)
        .map(
            now -> {
              String status = now.map(AttemptRow::status).orElse("gone");
              throw ProblemException.conflict(
                  "attempt " + id + " is " + status + ", not open for claiming");
            });
  }

  private static UUID parse(String attemptId) {
    try {
      return UUID.fromString(attemptId);
    } catch (IllegalArgumentException e) {
      throw ProblemException.notFound("attempt " + attemptId);
    }
  }
}
