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
            .toProblem();

    assertThat(problem.status()).isEqualTo(400);
    assertThat(problem.field()).isEqualTo("/parameters/date");
    assertThat(problem.errors()).hasSize(2);
    assertThat(problem.detail()).contains("/parameters/date: is required", "/environment");
  }

  @Test
  void mapperAnswersProblemJsonWithAChallengeOn401() {
    var response = new ProblemMappers().problem(ProblemException.unauthorized("no token"));

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getMediaType().toString()).isEqualTo(Problem.MEDIA_TYPE);
    assertThat(response.getHeaderString("WWW-Authenticate")).isEqualTo("Bearer");
  }
}
