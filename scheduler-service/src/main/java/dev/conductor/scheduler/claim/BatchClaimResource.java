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
    this.leaseSeconds = settings.attemptLeaseSeconds();
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
              return transactions
                  .run(tx -> claims.claimAll(tx, pool, body.executorId(), wanted, ended))
                  .map(answers -> answers(wanted, answers));
            });
  }

  /** The answers, in request order, for the wanted attempts in that order. */
  private Answers answers(List<Claims.Wanted> wanted, List<Claims.Answer> answers) {
    List<Answer> out = new ArrayList<>(answers.size());
    for (int i = 0; i < answers.size(); i++) {
      String attemptId = wanted.get(i).attemptId().toString();
      if (answers.get(i) instanceof Claims.Granted granted) {
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
        Claims.Refused refused = (Claims.Refused) answers.get(i);
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
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < claims.size(); i++) {
      WantedClaim claim = claims.get(i);
      if (claim == null) {
        throw ProblemException.badRequest(
            "/claims/" + i, "a claim names an attemptId and dispatch");
      }
      UUID id;
      try {
        id = UUID.fromString(claim.attemptId());
      } catch (IllegalArgumentException | NullPointerException e) {
        throw ProblemException.badRequest("/claims/" + i + "/attemptId", "not an attempt id");
      }
      if (!seen.add(id)) {
        throw ProblemException.badRequest(
            "/claims/" + i + "/attemptId", "attempt " + id + " is claimed twice");
      }
      if (claim.dispatch() == null || claim.dispatch() < 1) {
        throw ProblemException.badRequest(
            "/claims/" + i + "/dispatch",
            "dispatch is required: the job.authorized's dispatch (1 or more)");
      }
      wanted.add(new Claims.Wanted(id, claim.dispatch()));
    }
    return wanted;
  }
}
