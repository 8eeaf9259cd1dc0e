package dev.conductor.platform.auth;

import dev.conductor.events.data.Requester;
import java.time.Instant;
import java.util.List;

/** An authenticated caller: the verified token, who it names and when it expires. */
public record Caller(
    String issuer, String subject, List<String> groups, String token, Instant expires) {
  public Requester requester() {
    return new Requester(issuer, subject, groups);
  }

  @Override
  public String toString() {
    // Never print the token.
    return "Caller[" + issuer + " " + subject + " " + groups + "]";
  }
}
