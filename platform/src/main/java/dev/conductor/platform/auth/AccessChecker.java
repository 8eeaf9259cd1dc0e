package dev.conductor.platform.auth;

import io.smallrye.mutiny.Uni;

/** Asks whether a caller holds a permission at a scope ({@code /workspaces/w/pipelines/p}). */
public interface AccessChecker {
  Uni<AccessDecision> check(Caller caller, String permission, String scope);
}
