package dev.conductor.scheduler.run;

import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.scheduler.attempt.AttemptStore;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** A run's status with its steps, for callers with {@code run.read} on the run's workspace. */
@Path("/api/v1/runs/{runId}")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {
  private final Access access;
  private final CurrentCaller current;
  private final Transactions transactions;
  private final RunStore runs;
  private final AttemptStore attempts;

  public RunResource(
      Access access,
      CurrentCaller current,
      Transactions transactions,
      RunStore runs,
      AttemptStore attempts) {
    this.access = access;
    this.current = current;
    this.transactions = transactions;
    this.runs = runs;
    this.attempts = attempts;
  }

  @GET
  public Uni<RunView> read(@PathParam("runId") String runId) {
    Caller caller = current.get();
    // The scope is the run's workspace, so the run is looked up before the permission check.
    return runs.find(transactions.pool(), runId)
        .map(found -> found.orElseThrow(() -> ProblemException.notFound("run " + runId)))
        .call(
            run ->
                access.require(
                    caller,
                    "run.read",
                    run.workspace() == null ? "/" : "/workspaces/" + run.workspace()))
        .chain(this::view);
  }

  private Uni<RunView> view(RunRow run) {
    return runs.steps(transactions.pool(), run.id())
        .chain(
            steps ->
                attempts
                    .perStep(transactions.pool(), run.id())
                    .map(
                        perStep -> {
                          List<RunView.StepView> views =
                              steps.stream()
                                  .map(
                                      step -> {
                                        AttemptStore.StepAttempts a = perStep.get(step.name());
                                        return new RunView.StepView(
                                            step.name(),
                                            RunView.stepStatus(
                                                step.status(), a == null ? null : a.latestStatus()),
                                            a == null ? 0 : a.count());
                                      })
                                  .toList();
                          return new RunView(
                              run.id(),
                              run.workspace(),
                              run.pipeline(),
                              run.environment(),
                              run.status(),
                              run.reason(),
                              run.failedStep(),
                              run.detail(),
                              views);
                        }));
  }
}
