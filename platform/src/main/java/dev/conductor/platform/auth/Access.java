package dev.conductor.platform.auth;

import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Endpoint guard: the caller must hold a permission at a scope, else 403 problem+json. */
@ApplicationScoped
public class Access {
  @Inject AccessChecker checker;

  public Uni<AccessDecision> require(Caller caller, String permission, String scope) {
    return allowedOr403(caller, permission, scope, checker.check(caller, permission, scope));
  }

  /** As {@link #require}, asked on behalf of a token that is not for this API (a trigger's). */
  public Uni<AccessDecision> requireOnBehalf(Caller caller, String permission, String scope) {
    return allowedOr403(
        caller, permission, scope, checker.checkOnBehalf(caller, permission, scope));
  }

  private static Uni<AccessDecision> allowedOr403(
      Caller caller, String permission, String scope, Uni<AccessDecision> asked) {
    return asked.invoke(
        decision -> {
          if (!decision.allowed()) {
            throw ProblemException.denied(
                decision.decisionId(), caller.subject() + " lacks " + permission + " on " + scope);
          }
        });
  }
}
