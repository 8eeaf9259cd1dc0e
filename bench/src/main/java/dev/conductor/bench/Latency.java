package dev.conductor.bench;

import org.HdrHistogram.Histogram;

/** Latency histograms in microseconds (HdrHistogram, 3 significant digits, up to one hour). */
final class Latency {
  private static final long HIGHEST_MICROS = 3_600_000_000L;

  private Latency() {}

  static Histogram histogram() {
    return new Histogram(HIGHEST_MICROS, 3);
  }

  /** Records {@code toNanos - fromNanos}, clamped to the histogram's range. */
  static void record(Histogram histogram, long fromNanos, long toNanos) {
    long micros = Math.max(0, (toNanos - fromNanos) / 1_000);
    histogram.recordValue(Math.min(micros, HIGHEST_MICROS));
  }

  /** Percentiles in milliseconds. */
  record Summary(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {
    static Summary of(Histogram h) {
      if (h.getTotalCount() == 0) {
        return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      return new Summary(
          h.getTotalCount(),
          ms(h.getValueAtPercentile(50)),
          ms(h.getValueAtPercentile(95)),
          ms(h.getValueAtPercentile(99)),
          ms(h.getMaxValue()));
    }

    private static double ms(long micros) {
      return micros / 1000d;
    }
  }
}
