package dev.conductor.trigger.intake;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.conductor.platform.auth.AuthSettings;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.TokenVerifier;
import dev.conductor.platform.kafka.Rejected;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.trigger.Settings;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Authenticates the bearer token an upstream producer put in a trigger's {@code authorization}
 * header: a valid token of a trusted issuer for the triggers' own audience ({@code
 * conductor.trigger.token-audience}, never the API's), issued at most {@code token-max-age} before
 * the broker appended the message and not expired then, and never seen before (its {@code jti} is
 * recorded in the transaction that starts the run). Failures are {@link Rejected} with a reason
 * that never contains the token.
 */
@ApplicationScoped
public class TriggerTokens {
  private static final String RECORD_JTI =
      """
      INSERT INTO seen_token_ids (issuer, jti, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT DO NOTHING
      """;
  // Bounded so one trigger never pays for a large backlog of expired ids.
  private static final String FORGET_EXPIRED =
      """
      DELETE FROM seen_token_ids WHERE ctid IN (SELECT ctid FROM seen_token_ids
      WHERE expires_at < $1 LIMIT 100)
      """;

  /**
   * How long a jti is remembered after its token's expiry: more than the verifier's own clock skew,
   * so a token is refused as expired before its jti is forgotten.
   */
  private static final Duration KEEP_AFTER_EXPIRY = Duration.ofMinutes(5);

  private final TokenVerifier verifier;
  private final Duration maxAge;
  private final Duration skew;
  private final Clock clock;

  private final String apiAudience;

  public TriggerTokens(AuthSettings auth, Settings settings, Clock clock) {
    this.apiAudience = auth.audience();
    // The API's verifier with the triggers' own audience: same issuers, same rules.
    this.verifier = new TokenVerifier(auth.issuers(), settings.tokenAudience(), clock);
    this.maxAge = settings.tokenMaxAge();
    this.skew = settings.tokenClockSkew();
    this.clock = clock;
  }

  /**
   * The caller the header names, checked as of {@code appendedAt} (the broker's append time) and
   * recorded against replay in {@code tx}.
   */
  public Uni<Caller> authenticate(SqlConnection tx, String authorization, Instant appendedAt) {
    if (authorization == null || authorization.isBlank()) {
      return Uni.createFrom()
          .failure(new Rejected("no authorization header: a bearer token is required"));
    }
    // The first token of an issuer fetches its keys over HTTP: keep that off the event loop.
    return Uni.createFrom()
        .item(() -> verify(authorization))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .chain(verified -> checkAge(verified, appendedAt))
        .chain(verified -> recordOnce(tx, verified));
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
    if (claims.getJWTID() == null || claims.getJWTID().isBlank()) {
      throw new Rejected("token refused: it has no jti, so a replay could not be detected");
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

  private Uni<Caller> recordOnce(SqlConnection tx, Verified verified) {
    JWTClaimsSet claims = verified.claims();
    OffsetDateTime keepUntil =
        OffsetDateTime.ofInstant(
            claims.getExpirationTime().toInstant().plus(KEEP_AFTER_EXPIRY), ZoneOffset.UTC);
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return tx.preparedQuery(FORGET_EXPIRED)
        .execute(Tuple.of(now))
        .chain(
            () ->
                tx.preparedQuery(RECORD_JTI)
                    .execute(Tuple.of(verified.caller().issuer(), claims.getJWTID(), keepUntil)))
        .map(
            inserted -> {
              if (inserted.rowCount() == 0) {
                throw new Rejected("token refused: its jti was already used (replay)");
              }
              return verified.caller();
            });
  }

  private record Verified(Caller caller, JWTClaimsSet claims) {}
}
