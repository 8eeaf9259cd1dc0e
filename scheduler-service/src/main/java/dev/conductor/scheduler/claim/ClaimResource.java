package dev.conductor.scheduler.claim;

import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.problem.ProblemType;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.attempt.AttemptRow;
import dev.conductor.scheduler.attempt.AttemptStore;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Executors claim one dispatch of an attempt before running it, which is where its slot is taken
 * ({@link Claims}). Exactly one claim wins; every other one gets 409 with a typed problem: {@code
 * no-capacity} (the attempt is back in the queue) or {@code not-claimable} (someone else has it, it
 * ended, or it was dispatched anew). Either way the executor drops the job.
 */
@Path("/api/v1/attempts/{attemptId}/claim")
@Produces(MediaType.APPLICATION_JSON)
public class ClaimResource {
  /**
   * Who claims, which dispatch of the attempt (from its {@code job.authorized}), and which attempts
   * ended at that executor since its last claim (outcomes published; optional).
   */
  public record ClaimRequest(String executorId, Integer dispatch, List<String> ended) {}

  /** More ended attempts than one executor plausibly finishes between two claims. */
  static final int MAX_ENDED = 1000;

  /** The lease (renewed by heartbeats) and the deadline, which started at this claim. */
  public record Claimed(Instant leaseExpiresAt, long heartbeatIntervalMs, Instant deadline) {}

  private final Access access;
  private final CurrentCaller current;
  private final Transactions transactions;
  private final AttemptStore attempts;
  private final Claims claims;
  private final int leaseSeconds;

  public ClaimResource(
      Access access,
      CurrentCaller current,
      Transactions transactions,
      AttemptStore attempts,
      Claims claims,
      Settings settings) {
    this.access = access;
    this.current = current;
    this.transactions = transactions;
    this.attempts = attempts;
    this.claims = claims;
    this.leaseSeconds = (int) settings.attemptLease().toSeconds();
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
              if (body.dispatch() == null || body.dispatch() < 1) {
                throw ProblemException.badRequest(
                    "/dispatch", "dispatch is required: the job.authorized's dispatch (1 or more)");
              }
              List<UUID> ended = ended(body.ended());
              return transactions.run(
                  tx -> claims.claim(tx, id, body.dispatch(), body.executorId(), ended));
            })
        .map(this::answer);
  }

  private Claimed answer(Claims.Answer answer) {
    if (answer instanceof Claims.Granted granted) {
      AttemptRow attempt = granted.attempt();
      return new Claimed(attempt.leaseExpiresAt(), leaseSeconds * 1000L / 3, attempt.deadline());
    }
    Claims.Refused refused = (Claims.Refused) answer;
    throw new ProblemException(
        ProblemType.ofSlug(refused.kind()).orElse(ProblemType.CONFLICT), refused.detail());
  }

  static List<UUID> ended(List<String> ended) {
    if (ended == null) {
      return List.of();
    }
    if (ended.size() > MAX_ENDED) {
      throw ProblemException.badRequest("/ended", "at most " + MAX_ENDED + " ended attempts");
    }
    List<UUID> ids = new ArrayList<>(ended.size());
    for (int i = 0; i < ended.size(); i++) {
      try {
        ids.add(UUID.fromString(ended.get(i)));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw ProblemException.badRequest("/ended/" + i, "not an attempt id");
      }
    }
    return ids;
  }

  private static UUID parse(String attemptId) {
    try {
      return UUID.fromString(attemptId);
    } catch (IllegalArgumentException e) {
      throw ProblemException.notFound("attempt " + attemptId);
    }
  }
}
