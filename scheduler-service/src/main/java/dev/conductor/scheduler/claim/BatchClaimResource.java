package dev.conductor.scheduler.claim;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.attempt.AttemptRow;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * An executor claims several dispatched attempts of its pool at once: what it polled and has free
 * slots for. One request and one transaction for the whole batch, where one claim each cost a
 * request, a transaction and a turn at the executor's counter row apiece ({@link Claims#claimAll}).
 * Each attempt is answered on its own, in request order: granted (the executor runs it), or refused
 * with the kind {@link ClaimResource} would have answered with a 409 ({@code no-capacity}, {@code
 * not-claimable}) or 404 ({@code unknown}, which includes attempts of other pools).
 */
@Path("/api/v1/pools/{pool}/claims")
@Produces(MediaType.APPLICATION_JSON)
public class BatchClaimResource {
  /** One dispatched attempt to claim: its id and the dispatch its {@code job.authorized} named. */
  public record WantedClaim(String attemptId, Integer dispatch) {}

  /**
   * Who claims, what, and which attempts ended at that executor since its last claim (outcomes
   * published; optional).
   */
  public record BatchClaim(String executorId, List<WantedClaim> claims, List<String> ended) {}

  /**
   * The answer for one attempt: granted with its lease, heartbeat interval and deadline (which
   * started now), or refused with the kind and why.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Answer(
      String attemptId,
      boolean granted,
      Instant leaseExpiresAt,
      Long heartbeatIntervalMs,
      Instant deadline,
      String refused,
      String detail) {}

  public record Answers(List<Answer> answers) {}

  /** More than an executor has slots for; a bigger batch is a bug or an attack. */
  static final int MAX_CLAIMS = 1000;

  private final Access access;
  private final CurrentCaller current;
  private final Transactions transactions;
  private final Claims claims;
  private final int leaseSeconds;

  public BatchClaimResource(
      Access access,
      CurrentCaller current,
      Transactions transactions,
      Claims claims,
      Settings settings) {
    this.access = access;
    this.current = current;
    this.transactions = transactions;
    this.claims = claims;
    this.leaseSeconds = (int) settings.attemptLease().toSeconds();
  }

  @POST
  public Uni<Answers> claim(@PathParam("pool") String pool, BatchClaim body) {
    Caller caller = current.get();
    return access
        .require(caller, "attempt.claim", "/pools/" + pool)
        .chain(
            allowed -> {
              if (body == null || body.executorId() == null || body.executorId().isBlank()) {
                throw ProblemException.badRequest("/executorId", "executorId is required");
              }
              List<Claims.Wanted> wanted = wanted(body.claims());
              List<UUID> ended = ClaimResource.ended(body.ended());
              List<Claims.Wanted> real =
                  wanted.stream().filter(w -> w.attemptId() != null).toList();
              Uni<List<Claims.Answer>> answers =
                  real.isEmpty()
                      ? Uni.createFrom().item(List.of())
                      : transactions.run(
                          tx -> claims.claimAll(tx, pool, body.executorId(), real, ended));
              return answers.map(a -> answers(pool, body.claims(), wanted, a));
            });
  }

  /**
   * The answers in request order: an entry whose id is not an attempt id (null in {@code wanted})
   * is unknown in this pool, like any attempt it does not have; the others were answered in order.
   */
  private Answers answers(
      String pool,
      List<WantedClaim> asked,
      List<Claims.Wanted> wanted,
      List<Claims.Answer> answered) {
    List<Answer> out = new ArrayList<>(wanted.size());
    int next = 0;
    for (int i = 0; i < wanted.size(); i++) {
      String attemptId = asked.get(i).attemptId();
      if (wanted.get(i).attemptId() == null) {
        out.add(
            new Answer(
                attemptId,
                false,
                null,
                null,
                null,
                Claims.UNKNOWN,
                "pool " + pool + " has no attempt " + attemptId));
        continue;
      }
      Claims.Answer answer = answered.get(next++);
      if (answer instanceof Claims.Granted granted) {
        AttemptRow a = granted.attempt();
        out.add(
            new Answer(
                attemptId,
                true,
                a.leaseExpiresAt(),
                leaseSeconds * 1000L / 3,
                a.deadline(),
                null,
                null));
      } else {
        Claims.Refused refused = (Claims.Refused) answer;
        out.add(new Answer(attemptId, false, null, null, null, refused.kind(), refused.detail()));
      }
    }
    return new Answers(out);
  }

  private static List<Claims.Wanted> wanted(List<WantedClaim> claims) {
    if (claims == null || claims.isEmpty()) {
      throw ProblemException.badRequest("/claims", "claims is required: at least one attempt");
    }
    if (claims.size() > MAX_CLAIMS) {
      throw ProblemException.badRequest("/claims", "at most " + MAX_CLAIMS + " claims at once");
    }
    List<Claims.Wanted> wanted = new ArrayList<>(claims.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < claims.size(); i++) {
      WantedClaim claim = claims.get(i);
      if (claim == null) {
        throw ProblemException.badRequest(
            "/claims/" + i, "a claim names an attemptId and dispatch");
      }
      if (claim.attemptId() == null || claim.attemptId().isBlank()) {
        throw ProblemException.badRequest("/claims/" + i + "/attemptId", "attemptId is required");
      }
      if (!seen.add(claim.attemptId())) {
        throw ProblemException.badRequest(
            "/claims/" + i + "/attemptId", "attempt " + claim.attemptId() + " is claimed twice");
      }
      if (claim.dispatch() == null || claim.dispatch() < 1) {
        throw ProblemException.badRequest(
            "/claims/" + i + "/dispatch",
            "dispatch is required: the job.authorized's dispatch (1 or more)");
      }
      // Not an attempt id: answered unknown, as an attempt the pool does not have would be.
      wanted.add(new Claims.Wanted(uuidOrNull(claim.attemptId()), claim.dispatch()));
    }
    return wanted;
  }

  private static UUID uuidOrNull(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
