package dev.conductor.platform.auth;

import java.util.List;

/** The broker's answer to an access check, and the policy version it was decided under. */
public record AccessDecision(
    String decisionId, String effect, List<String> reasons, String policyVersion) {
  public static final String ALLOW = "allow";
  public static final String DENY = "deny";

  public boolean allowed() {
    return ALLOW.equals(effect);
  }
}
