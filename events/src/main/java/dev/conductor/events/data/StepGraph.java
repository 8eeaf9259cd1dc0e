package dev.conductor.events.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dependency graph of a pipeline's or a run's steps ({@link StepSpec#dependsOn}): the one check
 * that it has no cycle, used where a pipeline is defined (trigger service) and where a run is
 * accepted (scheduler), so both refuse the same graphs with the same words.
 */
public final class StepGraph {
  private StepGraph() {}

  /**
   * A dependency that closes a cycle: {@code step} is the index of the step whose {@code
   * dependsOn[dependency]} does, {@code loop} the step names around it, first and last the same.
   */
  public record Cycle(int step, int dependency, List<String> loop) {
    public String describe() {
      return "dependency cycle: " + String.join(" -> ", loop);
    }
  }

  /** The step's dependencies; none when it names none. */
  public static List<String> dependsOn(StepSpec step) {
    return step.dependsOn() == null ? List.of() : step.dependsOn();
  }

  /**
   * The first cycle met walking the steps in declaration order (depth first), empty for a DAG.
   * Dependencies on names that are no step are skipped: they are refused on their own.
   */
  public static Optional<Cycle> firstCycle(List<StepSpec> steps) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      index.putIfAbsent(steps.get(i).name(), i);
    }
    Map<String, Boolean> onPath = new HashMap<>(); // true: on the current path, false: done
    for (StepSpec step : steps) {
      Optional<Cycle> cycle = visit(step.name(), steps, index, onPath, new ArrayList<>());
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    return Optional.empty();
  }

  private static Optional<Cycle> visit(
      String name,
      List<StepSpec> steps,
      Map<String, Integer> index,
      Map<String, Boolean> onPath,
      List<String> path) {
    if (Boolean.FALSE.equals(onPath.get(name))) {
      return Optional.empty();
    }
    onPath.put(name, true);
    path.add(name);
    int i = index.get(name);
    List<String> deps = dependsOn(steps.get(i));
    for (int j = 0; j < deps.size(); j++) {
      String dep = deps.get(j);
      if (!index.containsKey(dep)) {
        continue;
      }
      if (Boolean.TRUE.equals(onPath.get(dep))) {
        List<String> loop = new ArrayList<>(path.subList(path.indexOf(dep), path.size()));
        loop.add(dep);
        return Optional.of(new Cycle(i, j, List.copyOf(loop)));
      }
      Optional<Cycle> cycle = visit(dep, steps, index, onPath, path);
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    path.remove(path.size() - 1);
    onPath.put(name, false);
    return Optional.empty();
  }
}
