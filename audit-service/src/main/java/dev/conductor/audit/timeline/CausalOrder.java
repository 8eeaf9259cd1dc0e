package dev.conductor.audit.timeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Orders records so each comes after its cause (causationId = the cause's id), and otherwise by
 * time then (chain, seq): a topological sort that always takes the earliest ready record. Records
 * whose cause is not in the set are roots; a causation cycle (only a forged ledger has one) is
 * broken by emitting the rest by time.
 */
public final class CausalOrder {
  private static final Comparator<TimelineRecord> TIME_THEN_SEQ =
      Comparator.comparing(TimelineRecord::time)
          .thenComparingInt(TimelineRecord::chain)
          .thenComparingLong(TimelineRecord::seq);

  private CausalOrder() {}

  public static List<TimelineRecord> sort(List<TimelineRecord> records) {
    Map<String, List<TimelineRecord>> byId = new HashMap<>();
    for (TimelineRecord r : records) {
      byId.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r);
    }
    Map<TimelineRecord, Integer> waitingFor = new HashMap<>();
    Map<TimelineRecord, List<TimelineRecord>> effects = new HashMap<>();
    PriorityQueue<TimelineRecord> ready = new PriorityQueue<>(TIME_THEN_SEQ);
    for (TimelineRecord r : records) {
      List<TimelineRecord> causes =
          r.causationId() == null ? List.of() : byId.getOrDefault(r.causationId(), List.of());
      causes = causes.stream().filter(c -> c != r).toList();
      waitingFor.put(r, causes.size());
      causes.forEach(c -> effects.computeIfAbsent(c, k -> new ArrayList<>()).add(r));
      if (causes.isEmpty()) {
        ready.add(r);
      }
    }
    List<TimelineRecord> ordered = new ArrayList<>(records.size());
    Set<TimelineRecord> done = new LinkedHashSet<>();
    while (ordered.size() < records.size()) {
      if (ready.isEmpty()) {
        records.stream().filter(r -> !done.contains(r)).min(TIME_THEN_SEQ).ifPresent(ready::add);
      }
      TimelineRecord next = ready.poll();
      if (!done.add(next)) {
        continue;
      }
      ordered.add(next);
      for (TimelineRecord effect : effects.getOrDefault(next, List.of())) {
        int left = waitingFor.merge(effect, -1, Integer::sum);
        if (left == 0 && !done.contains(effect)) {
          ready.add(effect);
        }
      }
    }
    return ordered;
  }
}
