package dev.conductor.broker.access;

import dev.conductor.broker.decision.Decision;
import dev.conductor.broker.issuer.TokenResource;
import dev.conductor.broker.policy.Scope;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.AuthSettings;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.auth.TokenVerifier;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.problem.ProblemType;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code POST /api/v1/access/check}: with neither token nor principal it checks the bearer caller;
 * with {@code token} it checks that token's subject (a token that does not verify is a deny). That
 * token may be for the API, or for the triggers ({@code conductor-triggers}): the trigger service
 * asks, with its own token, on behalf of a trigger's, and since a trigger token can be read by
 * whoever reads the topic, asking about one needs {@code policy.write} at {@code /} like asking
 * about a principal. With {@code principal} the caller must hold {@code policy.write} at {@code /},
 * since it asks about someone else.
 */
@Path("/api/v1/access/check")
public class AccessCheckResource {
  private final CurrentCaller current;
  private final Access access;
  private final AccessDecisions decisions;
  private final TokenVerifier verifier;
  private final TokenVerifier triggerTokens;

  /** The token asked about, and whether it is a trigger's rather than the API's. */
  private record Asked(Caller target, boolean trigger) {}

  public AccessCheckResource(
      CurrentCaller current,
      Access access,
      AccessDecisions decisions,
      TokenVerifier verifier,
      AuthSettings auth,
      java.time.Clock clock) {
    this.current = current;
    this.access = access;
    this.decisions = decisions;
    this.verifier = verifier;
    this.triggerTokens = new TokenVerifier(auth.issuers(), TokenResource.TRIGGERS_AUDIENCE, clock);
  }

  /** The token asked about: an API token, else a trigger token; UNAUTHENTICATED if neither. */
  private Asked asked(String token) {
    try {
      return new Asked(verifier.verify(token), false);
    } catch (ProblemException p) {
      if (p.type() != ProblemType.UNAUTHENTICATED) {
        throw p;
      }
      return new Asked(triggerTokens.verify(token), true);
    }
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<AccessCheckAnswer> check(AccessCheckRequest body) {
    Caller caller = current.get();
    validate(body);
    Uni<Decision> decision;
    if (body.token() != null) {
      decision =
          Uni.createFrom()
              // The first token of an issuer fetches its keys over HTTP: not on the event loop.
              .item(() -> asked(body.token()))
              .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
              .onItemOrFailure()
              .transformToUni(
                  (target, failure) -> {
                    if (failure instanceof ProblemException p
                        && p.type() == ProblemType.UNAUTHENTICATED) {
                      return decisions.refuse(
                          "unverified-token",
                          body.permission(),
                          body.scope(),
                          "the token does not verify: " + p.getMessage(),
                          caller.subject());
                    }
                    if (failure != null) {
                      return Uni.createFrom().failure(failure);
                    }
                    Uni<Void> allowedToAsk =
                        target.trigger()
                            ? access.require(caller, "policy.write", "/").replaceWithVoid()
                            : Uni.createFrom().voidItem();
                    return allowedToAsk.chain(
                        () ->
                            decisions.decide(
                                target.target().subject(),
                                target.target().groups(),
                                body.permission(),
                                body.scope(),
                                caller.subject()));
                  });
    } else if (body.principal() != null) {
      decision =
          access
              .require(caller, "policy.write", "/")
              .chain(
                  () ->
                      decisions.decide(
                          body.principal(),
                          body.groups() == null ? List.of() : body.groups(),
                          body.permission(),
                          body.scope(),
                          caller.subject()));
    } else {
      decision =
          decisions.decide(
              caller.subject(), caller.groups(), body.permission(), body.scope(), null);
    }
    return decision.map(
        d -> new AccessCheckAnswer(d.decisionId(), d.effect(), d.reasons(), d.policyVersion()));
  }

  private static void validate(AccessCheckRequest body) {
    if (body == null) {
      throw ProblemException.badRequest("/", "a JSON body {permission, scope} is required");
    }
    if (body.permission() == null || body.permission().isBlank()) {
      throw ProblemException.badRequest("/permission", "permission is required");
    }
    if (body.scope() == null || body.scope().isBlank()) {
      throw ProblemException.badRequest("/scope", "scope is required");
    }
    try {
      Scope.parse(body.scope());
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("/scope", e.getMessage());
    }
    if (body.token() != null && body.principal() != null) {
      throw ProblemException.badRequest("/principal", "give either token or principal, not both");
    }
    if (body.principal() != null && body.principal().isBlank()) {
      throw ProblemException.badRequest("/principal", "principal must not be blank");
    }
    if (body.groups() != null && body.principal() == null) {
      throw ProblemException.badRequest("/groups", "groups go with principal only");
    }
  }
}
