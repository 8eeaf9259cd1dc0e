package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.deploy.local.LocalStack;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Polls the scheduler for a run, printing each change of the run's or a step's status. */
final class RunFollower {
  static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled", "canceled");

  private RunFollower() {}

  /** Follows the run to a terminal status (or the timeout); returns the last status seen. */
  static JsonNode follow(
      Api api, StackFile stack, String principal, String runId, Duration timeout, PrintStream out) {
    String url = stack.url(LocalStack.SCHEDULER) + "/api/v1/runs/" + runId;
    Map<String, String> seen = new HashMap<>();
    Instant deadline = Instant.now().plus(timeout);
    JsonNode last = Api.JSON.createObjectNode().put("status", "unknown");
    while (Instant.now().isBefore(deadline)) {
      Api.Answer answer = api.get(principal, url);
      if (answer.ok()) {
        last = answer.body();
        String status = last.path("status").asText();
        if (!status.equals(seen.put("", status))) {
          out.println("  run " + runId + ": " + status + reason(last));
        }
        for (JsonNode step : last.path("steps")) {
          String name = step.path("name").asText();
          String s = step.path("status").asText();
          if (!s.equals(seen.put(name, s))) {
            out.println("    step " + name + ": " + s);
          }
        }
        if (TERMINAL.contains(status)) {
          return last;
        }
      } else if (!answer.is("not-found")) {
        // not-found: the scheduler has not consumed run.requested yet.
        throw new IllegalStateException("cannot read run " + runId + ": " + answer.problem());
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    out.println("  run " + runId + ": still " + last.path("status").asText() + " after " + timeout);
    return last;
  }

  private static String reason(JsonNode run) {
    String reason = run.path("reason").asText("");
    String step = run.path("failedStep").asText("");
    String detail = run.path("detail").asText("");
    if (reason.isEmpty() || reason.equals("null")) {
      return "";
    }
    return " ("
        + reason
        + (step.isEmpty() || step.equals("null") ? "" : " at " + step)
        + (detail.isEmpty() || detail.equals("null") ? "" : ": " + detail)
        + ")";
  }

  /** Starts a run over REST; returns its id. */
  static String start(
      Api api,
      StackFile stack,
      String principal,
      String ws,
      String pipeline,
      String env,
      Map<String, String> params) {
    var body = Api.JSON.createObjectNode();
    body.put("environment", env);
    var p = body.putObject("parameters");
    params.forEach(p::put);
    Api.Answer answer =
        api.post(
            principal,
            stack.url(LocalStack.TRIGGER)
                + "/api/v1/workspaces/"
                + ws
                + "/pipelines/"
                + pipeline
                + "/runs",
            body);
    if (!answer.ok()) {
      throw new IllegalStateException(
          "cannot start " + ws + "/" + pipeline + " as " + principal + ": " + answer.problem());
    }
    return answer.body().path("runId").asText();
  }
}
