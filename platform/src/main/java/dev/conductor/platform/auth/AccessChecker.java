package dev.conductor.platform.auth;

import io.smallrye.mutiny.Uni;

/** Asks whether a caller holds a permission at a scope ({@code /workspaces/w/pipelines/p}). */
public interface AccessChecker {
  Uni<AccessDecision> check(Caller caller, String permission, String scope);

  /**
   * As {@link #check}, for a caller whose token is not for this API (a trigger's, whose audience is
   * the triggers' own): this service asks with its own credentials, on behalf of that token, and
   * the broker decides for the token's subject.
   */
  default Uni<AccessDecision> checkOnBehalf(Caller caller, String permission, String scope) {
    return check(caller, permission, scope);
  }
}
