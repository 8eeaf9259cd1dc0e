package dev.conductor.trigger.intake;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.auth.AuthSettings;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.TokenVerifier;
import dev.conductor.platform.db.inbox.Inbox;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.Rejected;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.trigger.Settings;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Authenticates the bearer token an upstream producer put in a trigger's {@code authorization}
 * header: a valid token of a trusted issuer for the triggers' own audience ({@code
 * conductor.trigger.token-audience}, never the API's), issued at most {@code token-max-age} before
 * the broker appended the message and not expired then. Failures are {@link Rejected} with a reason
 * that never contains the token.
 *
 * <p>A producer may send many messages with one token: only upstream producers may write {@code
 * conductor.triggers} and only this service may read it, so nobody else can take a token from it. A
 * message sent twice is the same event twice, and the inbox skips it: its key is the event's
 * (source, id) bound to the token's principal ({@link #inboxKey}), so one principal's ids never
 * hide another's.
 */
@ApplicationScoped
public class TriggerTokens {
  private final TokenVerifier verifier;
  private final Duration maxAge;
  private final Duration skew;

  private final String apiAudience;

  public TriggerTokens(AuthSettings auth, Settings settings, Clock clock) {
    this.apiAudience = auth.audience();
    // The API's verifier with the triggers' own audience: same issuers, same rules.
    this.verifier = new TokenVerifier(auth.issuers(), settings.tokenAudience(), clock);
    this.maxAge = settings.tokenMaxAge();
    this.skew = settings.tokenClockSkew();
  }

  /** The caller the header names, checked as of {@code appendedAt} (the broker's append time). */
  public Uni<Caller> authenticate(String authorization, Instant appendedAt) {
    if (authorization == null || authorization.isBlank()) {
      return Uni.createFrom()
          .failure(new Rejected("no authorization header: a bearer token is required"));
    }
    // The first token of an issuer fetches its keys over HTTP: keep that off the event loop.
    return Uni.createFrom()
        .item(() -> verify(authorization))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .chain(verified -> checkAge(verified, appendedAt))
        .map(Verified::caller);
  }

  private Verified verify(String authorization) {
    Caller caller;
    try {
      caller = verifier.verifyHeader(authorization);
    } catch (ProblemException e) {
      if (e.type().isTransient()) {
        throw new IllegalStateException(e.getMessage()); // transient: retried by the consumer
      }
      throw new Rejected("token refused: " + e.getMessage());
    }
    try {
      return new Verified(caller, SignedJWT.parse(caller.token()).getJWTClaimsSet());
    } catch (ParseException e) {
      throw new Rejected("token refused: unreadable claims");
    }
  }

  private Uni<Verified> checkAge(Verified verified, Instant appendedAt) {
    JWTClaimsSet claims = verified.claims();
    Instant issued = claims.getIssueTime().toInstant();
    Instant expires = claims.getExpirationTime().toInstant();
    if (claims.getAudience().contains(apiAudience)) {
      // A token for both doors would open both: a trigger token names the triggers alone.
      throw new Rejected("token refused: it is also for the API (" + apiAudience + ")");
    }
    if (issued.isAfter(appendedAt.plus(skew))) {
      throw new Rejected(
          "token refused: issued after the message was appended (" + appendedAt + ")");
    }
    Duration age = Duration.between(issued, appendedAt);
    if (age.compareTo(maxAge) > 0) {
      throw new Rejected(
          "token refused: too old, issued "
              + age.toSeconds()
              + "s before the message was appended (at most "
              + maxAge.toSeconds()
              + "s)");
    }
    if (!expires.isAfter(appendedAt)) {
      throw new Rejected("token refused: expired before the message was appended");
    }
    return Uni.createFrom().item(verified);
  }

  /**
   * The inbox key of a trigger: its (source, id) bound to the principal its token names. The claims
   * are read unverified here, which is safe: the key is stored only in the transaction that starts
   * the run, after the token was verified; a refused trigger leaves no key behind.
   */
  public static Inbox.Key inboxKey(Consumed consumed, String authorization) {
    List<String> principal = List.of("", "");
    String token = authorization == null ? "" : TokenVerifier.bearerToken(authorization);
    try {
      JWTClaimsSet claims = JWTParser.parse(token).getJWTClaimsSet();
      principal = Arrays.asList(claims.getIssuer(), claims.getSubject());
    } catch (ParseException | RuntimeException e) {
      // refused when applied; any key will do, as it is never stored
    }
    // JSON: an unambiguous encoding of issuer, subject and source, whatever they contain.
    String qualified =
        EventCodec.JSON
            .createArrayNode()
            .add(principal.get(0))
            .add(principal.get(1))
            .add(consumed.event().source())
            .toString();
    return new Inbox.Key(qualified, consumed.event().id());
  }

  private record Verified(Caller caller, JWTClaimsSet claims) {}
}
