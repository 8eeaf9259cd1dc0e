package dev.conductor.scheduler.dispatch;

import dev.conductor.scheduler.attempt.AttemptRow;
import dev.conductor.scheduler.slot.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which waiting attempts of a pool are dispatched now, in FIFO order, within the pool's
 * capacity plus its dispatch window ({@link Usage#fits}). An attempt that does not fit blocks the
 * ones behind it, so a large class is not starved by a stream of small ones; an attempt larger than
 * any live executor blocks nobody (it runs on one executor, so it can only run once a larger one
 * registers).
 *
 * <p>The numbers of a wait: {@code capacity}, {@code used} (slots held by claimed and running
 * attempts), {@code dispatched} (on their way to an executor), {@code window} and {@code needed}.
 */
public final class Placement {
  public static final String CAPACITY = "capacity";
  public static final String QUEUE = "queue";
  public static final String PAUSED = "paused";

  private Placement() {}

  /** One decision: grant the attempt its slots, or let it wait for a reason with numbers. */
  public record Decision(
      AttemptRow attempt, boolean grant, String reason, Map<String, Long> numbers) {}

  public static List<Decision> plan(Usage usage, List<AttemptRow> waiting) {
    return plan(usage, waiting, false);
  }

  /** As {@link #plan(Usage, List)}; in a paused pool nothing is granted and everyone waits. */
  public static List<Decision> plan(Usage before, List<AttemptRow> waiting, boolean paused) {
    if (paused) {
      return waiting.stream().map(a -> wait(a, PAUSED, before, a.slots(), -1)).toList();
    }
    Usage usage = before;
    List<Decision> decisions = new ArrayList<>();
    long blockedAhead = 0;
    for (AttemptRow attempt : waiting) {
      int needed = attempt.slots();
      boolean fits = usage.fits(needed);
      if (needed > usage.largest()) {
        decisions.add(wait(attempt, CAPACITY, usage, needed, -1));
      } else if (fits && blockedAhead == 0) {
        decisions.add(new Decision(attempt, true, null, Map.of()));
        usage = usage.plus(needed);
      } else if (fits) {
        decisions.add(wait(attempt, QUEUE, usage, needed, blockedAhead));
        blockedAhead++;
      } else {
        decisions.add(wait(attempt, CAPACITY, usage, needed, -1));
        blockedAhead++;
      }
    }
    return decisions;
  }

  private static Decision wait(
      AttemptRow attempt, String reason, Usage usage, long needed, long ahead) {
    Map<String, Long> numbers = new LinkedHashMap<>();
    numbers.put("capacity", usage.capacity());
    numbers.put("used", usage.used());
    numbers.put("dispatched", usage.dispatched());
    numbers.put("window", usage.window());
    numbers.put("largestExecutor", usage.largest());
    numbers.put("needed", needed);
    if (ahead >= 0) {
      numbers.put("ahead", ahead);
    }
    return new Decision(attempt, false, reason, numbers);
  }
}
