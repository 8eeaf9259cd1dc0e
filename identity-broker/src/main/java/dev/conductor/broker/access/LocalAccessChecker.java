package dev.conductor.broker.access;

import dev.conductor.platform.auth.AccessChecker;
import dev.conductor.platform.auth.AccessDecision;
import dev.conductor.platform.auth.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The broker guards its own endpoints by evaluating locally instead of calling itself over HTTP;
 * being a bean of type {@link AccessChecker}, it replaces the platform's default HTTP client.
 */
@ApplicationScoped
public class LocalAccessChecker implements AccessChecker {
  private final AccessDecisions decisions;

  public LocalAccessChecker(AccessDecisions decisions) {
    this.decisions = decisions;
  }

  @Override
  public Uni<AccessDecision> check(Caller caller, String permission, String scope) {
    return decisions
        .decide(caller.subject(), caller.groups(), permission, scope, null)
        .map(d -> new AccessDecision(d.decisionId(), d.effect(), d.reasons(), d.policyVersion()));
  }
}
