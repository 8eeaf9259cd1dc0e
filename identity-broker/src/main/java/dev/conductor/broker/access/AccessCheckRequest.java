package dev.conductor.broker.access;

import java.util.List;

/**
 * Body of {@code POST /api/v1/access/check}: a permission and scope, and optionally whom to check
 * instead of the caller (a token to verify, or a principal with its groups).
 */
public record AccessCheckRequest(
    String permission, String scope, String token, String principal, List<String> groups) {
  @Override
  public String toString() {
    // Never print the token.
    return "AccessCheckRequest["
        + permission
        + " "
        + scope
        + (token != null ? " token=***" : "")
        + (principal != null ? " principal=" + principal : "")
        + "]";
  }
}
