package dev.conductor.scheduler.run;

import static dev.conductor.scheduler.support.Runs.request;
import static dev.conductor.scheduler.support.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.events.data.PipelineSnapshot;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.StepSpec;
import dev.conductor.scheduler.slot.ResourceClasses;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunValidatorTest {
  private final RunValidator validator =
      new RunValidator(
          List.of("dev", "test", "prod"),
          new ResourceClasses(List.of("smallrc:1", "mediumrc:2", "largerc:4", "xlargerc:8")));

  private Optional<Rejection> validate(List<StepSpec> steps) {
    return validator.validate(request("r1", "dev", steps));
  }

  @Test
  void acceptsADiamond() {
    assertThat(
            validate(
                List.of(
                    step("a", "smallrc", 0),
                    step("b", "mediumrc", 0, "a"),
                    step("c", "largerc", 0, "a"),
                    step("d", "xlargerc", 0, "b", "c"))))
        .isEmpty();
  }

  @Test
  void readyStepsAreThoseWithoutDependencies() {
    List<StepSpec> steps =
        List.of(
            step("a", "smallrc", 0), step("b", "smallrc", 0), step("c", "smallrc", 0, "a", "b"));
    assertThat(RunValidator.ready(steps)).extracting(StepSpec::name).containsExactly("a", "b");
  }

  @Test
  void rejectsAnUnknownPool() {
    Optional<Rejection> r =
        validator.validate(request("r1", "staging", List.of(step("a", "smallrc", 0))));
    assertThat(r).get().extracting(Rejection::reason).isEqualTo(Rejection.UNKNOWN_POOL);
    assertThat(r.get().detail()).startsWith("/environment");
  }

  @Test
  void rejectsAPipelineWithoutSteps() {
    assertThat(validate(List.of()))
        .get()
        .extracting(Rejection::reason)
        .isEqualTo(Rejection.NO_STEPS);
  }

  @Test
  void rejectsAMissingSnapshot() {
    RunRequested r = request("r1", "dev", List.of());
    RunRequested noSnapshot =
        new RunRequested(
            r.runId(),
            r.workspace(),
            r.pipeline(),
            null,
            Map.of(),
            "dev",
            r.requester(),
            null,
            null);
    assertThat(validator.validate(noSnapshot))
        .get()
        .extracting(Rejection::reason)
        .isEqualTo(Rejection.NO_STEPS);
  }

  @Test
  void rejectsAnEnvironmentThePipelineDoesNotAllow() {
    RunRequested r = request("r1", "prod", List.of(step("a", "smallrc", 0)));
    PipelineSnapshot s = r.snapshot();
    RunRequested devOnly =
        new RunRequested(
            r.runId(),
            r.workspace(),
            r.pipeline(),
            new PipelineSnapshot(
                s.workspace(),
                s.pipeline(),
                s.version(),
                s.steps(),
                s.runAs(),
                List.of("dev"),
                Map.of()),
            Map.of(),
            "prod",
            r.requester(),
            null,
            null);
    assertThat(validator.validate(devOnly))
        .get()
        .extracting(Rejection::reason)
        .isEqualTo(Rejection.ENVIRONMENT_NOT_ALLOWED);
  }

  @Test
  void rejectsDuplicateStepNames() {
    Optional<Rejection> r = validate(List.of(step("a", "smallrc", 0), step("a", "smallrc", 0)));
    assertThat(r).get().extracting(Rejection::reason).isEqualTo(Rejection.DUPLICATE_STEP);
    assertThat(r.get().detail()).startsWith("/snapshot/steps/1/name");
  }

  @Test
  void rejectsADependencyOnAMissingStep() {
    Optional<Rejection> r =
        validate(List.of(step("a", "smallrc", 0), step("b", "smallrc", 0, "x")));
    assertThat(r).get().extracting(Rejection::reason).isEqualTo(Rejection.UNKNOWN_DEPENDENCY);
    assertThat(r.get().detail()).isEqualTo("/snapshot/steps/1/dependsOn: x is not a step");
  }

  @Test
  void rejectsACycle() {
    Optional<Rejection> r =
        validate(
            List.of(
                step("a", "smallrc", 0),
                step("b", "smallrc", 0, "a", "d"),
                step("c", "smallrc", 0, "b"),
                step("d", "smallrc", 0, "c")));
    assertThat(r).get().extracting(Rejection::reason).isEqualTo(Rejection.CYCLE);
    assertThat(r.get().detail())
        .isEqualTo("/snapshot/steps/2/dependsOn/0: dependency cycle: b -> d -> c -> b");
  }

  @Test
  void rejectsASelfDependency() {
    assertThat(validate(List.of(step("a", "smallrc", 0, "a"))))
        .get()
        .extracting(Rejection::reason)
        .isEqualTo(Rejection.CYCLE);
  }

  @Test
  void rejectsAnUnknownResourceClass() {
    Optional<Rejection> r = validate(List.of(step("a", "smallrc", 0), step("b", "hugerc", 0)));
    assertThat(r).get().extracting(Rejection::reason).isEqualTo(Rejection.UNKNOWN_RESOURCE_CLASS);
    assertThat(r.get().detail()).startsWith("/snapshot/steps/1/resourceClass: hugerc");
  }

  @Test
  void rejectsANamelessStep() {
    assertThat(validate(List.of(step(" ", "smallrc", 0))))
        .get()
        .extracting(Rejection::reason)
        .isEqualTo(Rejection.INVALID_STEP);
  }

  @Test
  void rejectsNegativeRetries() {
    assertThat(validate(List.of(step("a", "smallrc", -1))))
        .get()
        .extracting(Rejection::reason)
        .isEqualTo(Rejection.INVALID_STEP);
  }
}
