package dev.conductor.bench;

import java.util.Map;

/**
 * One load step: {@code sent} requests offered at {@code offeredPerSec}; {@code completed} made it
 * to the end, {@code failed} ended badly, {@code rejected} were refused at the door (non-2xx or a
 * transport error), {@code timedOut} had not finished when the step gave up waiting. {@code
 * achievedPerSec} = completed / (last completion − first intended send).
 */
record StepResult(
    String workload,
    double offeredPerSec,
    int sent,
    int completed,
    int failed,
    int rejected,
    int timedOut,
    double achievedPerSec,
    double seconds,
    Map<String, Latency.Summary> latencies) {

  /** The latency the sustained-throughput criterion looks at. */
  Latency.Summary primary() {
    return latencies.values().iterator().next();
  }

  static double achieved(int completed, long firstIntendedNanos, long lastDoneNanos) {
    if (completed == 0 || lastDoneNanos <= firstIntendedNanos) {
      return 0;
    }
    return completed / ((lastDoneNanos - firstIntendedNanos) / 1e9);
  }
}
