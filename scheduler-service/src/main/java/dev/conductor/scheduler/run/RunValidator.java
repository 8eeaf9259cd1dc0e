package dev.conductor.scheduler.run;

import dev.conductor.events.data.PipelineSnapshot;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.StepGraph;
import dev.conductor.events.data.StepSpec;
import dev.conductor.scheduler.slot.ResourceClasses;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a run request before anything is stored: the pool exists, the steps form a DAG whose
 * dependencies name real steps, and every resource class is known. Pure, so unit-testable.
 */
public final class RunValidator {
  private final Set<String> pools;
  private final ResourceClasses classes;

  public RunValidator(Collection<String> pools, ResourceClasses classes) {
    this.pools = Set.copyOf(pools);
    this.classes = classes;
  }

  /** The first problem of the request, or empty when it can be scheduled. */
  public Optional<Rejection> validate(RunRequested request) {
    if (blank(request.workspace()) || blank(request.pipeline())) {
      return reject(Rejection.INVALID_REQUEST, "/workspace: workspace and pipeline are required");
    }
    if (blank(request.environment()) || !pools.contains(request.environment())) {
      return reject(
          Rejection.UNKNOWN_POOL,
          "/environment: " + request.environment() + " is not one of the pools " + sorted(pools));
    }
    PipelineSnapshot snapshot = request.snapshot();
    if (snapshot == null || snapshot.steps() == null || snapshot.steps().isEmpty()) {
      return reject(Rejection.NO_STEPS, "/snapshot/steps: the pipeline has no steps");
    }
    if (snapshot.environments() != null
        && !snapshot.environments().isEmpty()
        && !snapshot.environments().contains(request.environment())) {
      return reject(
          Rejection.ENVIRONMENT_NOT_ALLOWED,
          "/environment: the pipeline runs only in " + snapshot.environments());
    }
    return validateSteps(snapshot.steps());
  }

  /** Step names, dependencies, resource classes and acyclicity. */
  public Optional<Rejection> validateSteps(List<StepSpec> steps) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      StepSpec step = steps.get(i);
      if (step == null || blank(step.name())) {
        return reject(Rejection.INVALID_STEP, "/snapshot/steps/" + i + "/name: a name is required");
      }
      if (index.putIfAbsent(step.name(), i) != null) {
        return reject(
            Rejection.DUPLICATE_STEP,
            "/snapshot/steps/" + i + "/name: " + step.name() + " appears twice");
      }
      if (step.maxRetries() < 0 || step.timeoutSeconds() < 0) {
        return reject(
            Rejection.INVALID_STEP,
            "/snapshot/steps/" + i + ": maxRetries and timeoutSeconds must not be negative");
      }
      if (classes.slots(step.resourceClass()).isEmpty()) {
        return reject(
            Rejection.UNKNOWN_RESOURCE_CLASS,
            "/snapshot/steps/"
                + i
                + "/resourceClass: "
                + step.resourceClass()
                + " is not one of "
                + sorted(classes.names()));
      }
    }
    for (int i = 0; i < steps.size(); i++) {
      for (String dependency : dependsOn(steps.get(i))) {
        if (!index.containsKey(dependency)) {
          return reject(
              Rejection.UNKNOWN_DEPENDENCY,
              "/snapshot/steps/" + i + "/dependsOn: " + dependency + " is not a step");
        }
      }
    }
    Optional<StepGraph.Cycle> cycle = StepGraph.firstCycle(steps);
    if (cycle.isPresent()) {
      StepGraph.Cycle c = cycle.get();
      return reject(
          Rejection.CYCLE,
          "/snapshot/steps/" + c.step() + "/dependsOn/" + c.dependency() + ": " + c.describe());
    }
    return Optional.empty();
  }

  /** Steps that can start at once: those without dependencies, in declaration order. */
  public static List<StepSpec> ready(List<StepSpec> steps) {
    return steps.stream().filter(s -> dependsOn(s).isEmpty()).toList();
  }

  public static List<String> dependsOn(StepSpec step) {
    return StepGraph.dependsOn(step);
  }

  private static Optional<Rejection> reject(String reason, String detail) {
    return Optional.of(new Rejection(reason, detail));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static List<String> sorted(Collection<String> values) {
    return new ArrayList<>(new TreeSet<>(values));
  }
}
