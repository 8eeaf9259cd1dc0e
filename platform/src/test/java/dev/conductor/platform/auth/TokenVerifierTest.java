package dev.conductor.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.testkit.TestIssuer;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The verified-token cache never outlives a token and never lets another token through. */
class TokenVerifierTest {
  private static TestIssuer issuer;

  @BeforeAll
  static void start() {
    issuer = TestIssuer.start();
  }

  @AfterAll
  static void stop() {
    issuer.close();
  }

  @Test
  void aRememberedTokenStopsWorkingWhenItExpires() {
    MovableClock clock = new MovableClock();
    TokenVerifier verifier = new TokenVerifier(List.of(issuer.issuer()), "conductor", clock);
    Instant exp = Instant.now().plusSeconds(120);
    String token =
        issuer.token(issuer.claims("svc", List.of("ops")).expirationTime(Date.from(exp)).build());

    assertThat(verifier.verify(token).subject()).isEqualTo("svc");
    assertThat(verifier.verify(token).groups()).as("remembered").containsExactly("ops");

    clock.now = exp.plus(Duration.ofSeconds(1));
    assertThatThrownBy(() -> verifier.verify(token))
        .isInstanceOf(ProblemException.class)
        .satisfies(
            e ->
                assertThat(((ProblemException) e).type())
                    .isEqualTo(dev.conductor.platform.problem.ProblemType.UNAUTHENTICATED));
  }

  @Test
  void aJobsCredentialIsNeverACallerEvenWithTheApisAudience() {
    TokenVerifier verifier = new TokenVerifier(List.of(issuer.issuer()), "conductor");
    JWTClaimsSet claims = issuer.claims("etl-bot", List.of()).claim("attempt_id", "a-1").build();
    assertThat(verifier.verify(issuer.token(claims)).subject()).isEqualTo("etl-bot");

    assertThatThrownBy(() -> verifier.verify(issuer.token(claims, TokenVerifier.JOB_TOKEN)))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e ->
                assertThat(e.type())
                    .isEqualTo(dev.conductor.platform.problem.ProblemType.UNAUTHENTICATED));
  }

  @Test
  void rememberingOneTokenLetsNoOtherThrough() {
    TokenVerifier verifier = new TokenVerifier(List.of(issuer.issuer()), "conductor");
    String good = issuer.token("svc", List.of());
    verifier.verify(good);

    assertThatThrownBy(() -> verifier.verify(issuer.foreignToken("svc")))
        .isInstanceOf(ProblemException.class);
    String tampered = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA";
    assertThatThrownBy(() -> verifier.verify(tampered)).isInstanceOf(ProblemException.class);
  }

  @Test
  void unknownKeyIdsRefreshTheKeysAtMostTwiceEveryFewSeconds() {
    TokenVerifier verifier = new TokenVerifier(List.of(issuer.issuer()), "conductor");
    verifier.verify(issuer.token("svc", List.of()));
    int before = issuer.jwksFetches();
    long started = System.nanoTime();

    for (int i = 0; i < 30; i++) {
      String forged = issuer.unknownKeyToken("svc");
      assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(ProblemException.class);
    }

    long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
    int intervals = (int) (1 + elapsed / TokenVerifier.JWKS_REFRESH_MILLIS);
    // An unknown kid may be a rotation, so the keys are fetched again, but not once per token.
    assertThat(issuer.jwksFetches() - before).isPositive().isLessThanOrEqualTo(2 * intervals);
    assertThat(verifier.verify(issuer.token("svc", List.of())).subject()).isEqualTo("svc");
  }
}
