package dev.conductor.scheduler.slot;

/**
 * A pool's slots: its capacity (live executors), the slots its claimed and running attempts hold,
 * the slots of attempts dispatched but not yet claimed, how far dispatch may run ahead of capacity
 * ({@code window}), and the most slots one live executor has ({@code largest}: a job runs on one
 * executor, so it can never need more). Dispatch fills {@code capacity + window}: jobs on their way
 * to an executor hold no slot, so a window keeps executors busy across the path's latency while the
 * queue order (not the executors) still decides who goes next.
 */
public record Usage(long capacity, long used, long dispatched, long window, long largest) {
  /** Whether dispatching {@code slots} more stays within capacity plus the window. */
  public boolean fits(int slots) {
    return used + dispatched + slots <= capacity + window;
  }

  /** After dispatching {@code slots} more. */
  public Usage plus(int slots) {
    return new Usage(capacity, used, dispatched + slots, window, largest);
  }

  /** Slots that may still be dispatched now (0 when none). */
  public long room() {
    return Math.max(0, capacity + window - used - dispatched);
  }
}
