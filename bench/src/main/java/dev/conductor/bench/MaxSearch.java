package dev.conductor.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The maximum sustained rate: offered rates step up (doubling) and the search stops at the first
 * step that misses the criterion. A step is sustained when every request completed (no failure,
 * rejection or timeout), the achieved rate is at least {@value #ACHIEVED_SHARE} of the offered one
 * and the primary latency's p99 stays under {@value #P99_LIMIT_MS} ms. One miss can be a hiccup of
 * a shared machine, so the search stops after {@value #MISSES} misses in a row. It also reports the
 * highest rate whose throughput kept up (everything completed, achieved ≥ 90%) whatever the
 * latency.
 */
final class MaxSearch {
  static final double ACHIEVED_SHARE = 0.9;
  static final double P99_LIMIT_MS = 1000;
  static final String CRITERION =
      "achieved ≥ 90% of offered, p99 of the first latency column < 1 s, no failure, rejection or"
          + " timeout; the search stops after 2 misses in a row";

  static final int MISSES = 2;

  /**
   * Where both searches start by default. Ours and the floor's step through the same rates (50,
   * 100, … 1600, …), so that a ratio such as 0.5× of the floor's maximum is itself a step of ours.
   */
  static final double FIRST_RATE = 50;

  record Outcome(List<StepResult> steps, double maxSustainedPerSec, double maxKeptUpPerSec) {}

  private MaxSearch() {}

  static boolean sustained(StepResult r) {
    return keptUp(r) && r.primary().p99Ms() < P99_LIMIT_MS;
  }

  /** Throughput only: everything completed and achieved ≥ 90% of offered. */
  static boolean keptUp(StepResult r) {
    return r.completed() == r.sent()
        && r.failed() == 0
        && r.rejected() == 0
        && r.timedOut() == 0
        && r.achievedPerSec() >= ACHIEVED_SHARE * r.offeredPerSec();
  }

  /** Rates from {@code first} doubling up to {@code limit}. */
  static List<Double> rates(double first, double limit) {
    List<Double> out = new ArrayList<>();
    for (double r = first; r <= limit; r *= 2) {
      out.add(r);
    }
    return out;
  }

  /** Seconds of load per step, so that the drain of the last requests weighs little. */
  static final int STEP_SECONDS = 10;

  /** Requests per step: {@value #STEP_SECONDS} s of load, at least 50, at most 4 N. */
  static int stepSize(int runs, double rate) {
    long n = Math.min(Math.round(STEP_SECONDS * rate), 4L * runs);
    return (int) Math.max(50, n);
  }

  static Outcome search(Workload workload, int runs, List<Double> rates) throws Exception {
    List<StepResult> steps = new ArrayList<>();
    double max = 0;
    double keptUp = 0;
    int misses = 0;
    for (double rate : rates) {
      StepResult r = workload.run(stepSize(runs, rate), rate);
      steps.add(r);
      if (keptUp(r)) {
        keptUp = Math.max(keptUp, rate);
      }
      if (sustained(r)) {
        max = Math.max(max, rate);
        misses = 0;
      } else if (++misses >= MISSES) {
        break;
      }
    }
    return new Outcome(steps, max, keptUp);
  }
}
