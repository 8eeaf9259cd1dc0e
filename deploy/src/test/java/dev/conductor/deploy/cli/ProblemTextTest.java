package dev.conductor.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The command line prints a service's problem by its kind from the catalogue, not its status. */
class ProblemTextTest {
  private static JsonNode json(String text) throws Exception {
    return Api.JSON.readTree(text);
  }

  @Test
  void aDenialNamesItsKindAndDecision() throws Exception {
    Api.Answer answer =
        new Api.Answer(
            403,
            json(
                """
                {"type":"https://conductor.dev/problems/denied","title":"Denied","status":403,
                 "detail":"bob lacks pipeline.run on /workspaces/demo","decisionId":"d-1"}
                """),
            null);
    assertThat(answer.problem())
        .isEqualTo("denied: bob lacks pipeline.run on /workspaces/demo (decision d-1)");
  }

  @Test
  void anUnavailableServiceSaysWhenToRetry() throws Exception {
    Api.Answer answer =
        new Api.Answer(
            503,
            json(
                """
                {"type":"https://conductor.dev/problems/unavailable","status":503,
                 "detail":"the identity broker cannot be reached"}
                """),
            "5");
    assertThat(answer.problem())
        .isEqualTo("unavailable: the identity broker cannot be reached (retry in 5 s)");
  }

  @Test
  void anAnswerFromOutsideTheCatalogueFallsBackToItsStatus() throws Exception {
    Api.Answer answer =
        new Api.Answer(502, Api.JSON.getNodeFactory().textNode("Bad gateway"), null);
    assertThat(answer.problem()).startsWith("HTTP 502: ");
  }
}
