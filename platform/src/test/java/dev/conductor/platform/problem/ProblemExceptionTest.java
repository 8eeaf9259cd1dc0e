package dev.conductor.platform.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemExceptionTest {
  @Test
  void invalidNamesTheFirstFieldAndListsAll() {
    Problem problem =
        ProblemException.invalid(
                List.of(
                    new Problem.FieldError("/parameters/date", "is required"),
                    new Problem.FieldError("/environment", "is not allowed")))
            .toProblem("/api/v1/x");

    assertThat(problem.status()).isEqualTo(400);
    assertThat(problem.type()).isEqualTo("https://conductor.dev/problems/validation");
    assertThat(problem.instance()).isEqualTo("/api/v1/x");
    assertThat(problem.field()).isEqualTo("/parameters/date");
    assertThat(problem.errors()).hasSize(2);
    assertThat(problem.detail()).contains("/parameters/date: is required", "/environment");
  }

  @Test
  void mapperAnswersProblemJsonWithAChallengeOn401() {
    var response = ProblemMappers.of(ProblemException.unauthorized("no token"), "/api/v1/x");

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getMediaType().toString()).isEqualTo(Problem.MEDIA_TYPE);
    assertThat(response.getHeaderString("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @Test
  void unavailableAndQuotaSayWhenToRetry() {
    assertThat(
            ProblemMappers.of(ProblemException.unavailable("broker down"), "/x")
                .getHeaderString("Retry-After"))
        .isEqualTo("5");
    assertThat(
            ProblemMappers.of(
                    ProblemException.quota("too many", java.time.Duration.ofSeconds(30)), "/x")
                .getHeaderString("Retry-After"))
        .isEqualTo("30");
    assertThat(
            ProblemMappers.of(ProblemException.conflict("no"), "/x").getHeaderString("Retry-After"))
        .isNull();
  }

  @Test
  void everyKindHasItsOwnTypeAndTheFrameworksStatusesMapToAKind() {
    assertThat(java.util.Arrays.stream(ProblemType.values()).map(ProblemType::uri).distinct())
        .hasSize(ProblemType.values().length)
        .allMatch(uri -> uri.startsWith(ProblemType.BASE));
    assertThat(ProblemType.ofStatus(404)).isEqualTo(ProblemType.NOT_FOUND);
    assertThat(ProblemType.ofStatus(409)).isEqualTo(ProblemType.CONFLICT);
    assertThat(ProblemType.ofStatus(405)).isEqualTo(ProblemType.METHOD_NOT_ALLOWED);
    assertThat(ProblemType.ofStatus(413)).isEqualTo(ProblemType.CONTENT_TOO_LARGE);
    assertThat(ProblemType.ofStatus(418)).isEqualTo(ProblemType.VALIDATION);
    assertThat(ProblemType.ofStatus(502)).isEqualTo(ProblemType.INTERNAL);
  }

  @Test
  void aClientReadsTheKindFromTheType() {
    for (ProblemType kind : ProblemType.values()) {
      assertThat(ProblemType.ofUri(kind.uri())).contains(kind);
    }
    assertThat(ProblemType.ofUri("about:blank")).isEmpty();
    assertThat(ProblemType.ofUri(ProblemType.BASE + "no-such-kind")).isEmpty();
    assertThat(ProblemType.ofUri(null)).isEmpty();
  }
}
