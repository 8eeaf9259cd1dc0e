package dev.conductor.scheduler.dispatch;

import dev.conductor.scheduler.attempt.AttemptRow;
import dev.conductor.scheduler.slot.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which waiting attempts of a pool get slots now, in FIFO order. An attempt that does not
 * fit the free slots blocks the ones behind it, so a large class is not starved by a stream of
 * small ones; an attempt larger than the whole pool blocks nobody (it can only run once capacity
 * grows).
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
  public static List<Decision> plan(Usage usage, List<AttemptRow> waiting, boolean paused) {
    if (paused) {
      return waiting.stream()
          .map(a -> wait(a, PAUSED, usage.capacity(), usage.used(), a.slots(), -1))
          .toList();
    }
    List<Decision> decisions = new ArrayList<>();
    long used = usage.used();
    long capacity = usage.capacity();
    long blockedAhead = 0;
    for (AttemptRow attempt : waiting) {
      int needed = attempt.slots();
      boolean fits = used + needed <= capacity;
      if (fits && blockedAhead == 0) {
        decisions.add(new Decision(attempt, true, null, Map.of()));
        used += needed;
      } else if (needed > capacity) {
        decisions.add(wait(attempt, CAPACITY, capacity, used, needed, -1));
      } else if (fits) {
        decisions.add(wait(attempt, QUEUE, capacity, used, needed, blockedAhead));
        blockedAhead++;
      } else {
        decisions.add(wait(attempt, CAPACITY, capacity, used, needed, -1));
        blockedAhead++;
      }
    }
    return decisions;
  }

  private static Decision wait(
      AttemptRow attempt, String reason, long capacity, long used, long needed, long ahead) {
    Map<String, Long> numbers = new LinkedHashMap<>();
    numbers.put("capacity", capacity);
    numbers.put("used", used);
    numbers.put("needed", needed);
    if (ahead >= 0) {
      numbers.put("ahead", ahead);
    }
    return new Decision(attempt, false, reason, numbers);
  }
}
