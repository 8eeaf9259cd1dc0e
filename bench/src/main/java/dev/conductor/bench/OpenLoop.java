package dev.conductor.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop arrival schedule: request {@code i} is due at {@code start + i / rate}, whatever
 * happened to the requests before it. Latency is measured from that intended time, not from when
 * the request actually went out, so a stalled system cannot hide its queueing delay by slowing the
 * load down (coordinated omission).
 */
final class OpenLoop {
  /** What to do at an intended time; must not wait for the system's answer. */
  @FunctionalInterface
  interface Action {
    void fire(int index, long intendedNanos);
  }

  private OpenLoop() {}

  /** The intended send time of request {@code index} on the {@link System#nanoTime} clock. */
  static long intendedAt(long startNanos, int index, double ratePerSecond) {
    if (ratePerSecond <= 0) {
      throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
    }
    return startNanos + Math.round(index * 1_000_000_000d / ratePerSecond);
  }

  /**
   * Fires {@code n} actions at their intended times and returns the intended time of the last one.
   * If the caller's thread falls behind, late actions fire at once, still carrying their intended
   * time.
   */
  static long run(int n, double ratePerSecond, long startNanos, Action action) {
    long last = startNanos;
    for (int i = 0; i < n; i++) {
      long due = intendedAt(startNanos, i, ratePerSecond);
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      action.fire(i, due);
      last = due;
    }
    return last;
  }
}
