package dev.conductor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The benchmark's bookkeeping only: no stack, no load, no assertion on speed. */
class BenchLogicTest {

  @Test
  void openLoopSchedulesByIntendedTimeNotByResponses() {
    assertThat(OpenLoop.intendedAt(1_000, 0, 50)).isEqualTo(1_000);
    assertThat(OpenLoop.intendedAt(1_000, 1, 50)).isEqualTo(1_000 + 20_000_000L);
    assertThat(OpenLoop.intendedAt(0, 3, 200)).isEqualTo(15_000_000L);
    assertThatThrownBy(() -> OpenLoop.intendedAt(0, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);

    // A slow action does not move the later intended times: they stay on the schedule.
    List<Long> due = new ArrayList<>();
    long start = System.nanoTime();
    long last =
        OpenLoop.run(
            5,
            1000,
            start,
            (i, t) -> {
              due.add(t);
              if (i == 1) {
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    assertThat(due)
        .containsExactly(
            start, start + 1_000_000, start + 2_000_000, start + 3_000_000, start + 4_000_000);
    assertThat(last).isEqualTo(start + 4_000_000);
  }

  @Test
  void latencySummaryIsInMillisecondsFromMicroseconds() {
    Histogram h = Latency.histogram();
    for (int i = 1; i <= 100; i++) {
      Latency.record(h, 0, i * 1_000_000L); // 1..100 ms
    }
    Latency.record(h, 10, 5); // negative clamps to zero
    Latency.Summary s = Latency.Summary.of(h);
    assertThat(s.count()).isEqualTo(101);
    assertThat(s.p50Ms()).isBetween(49.9, 50.1);
    assertThat(s.p99Ms()).isBetween(98.9, 99.1);
    assertThat(s.maxMs()).isBetween(99.9, 100.1);
    assertThat(Latency.Summary.of(Latency.histogram()).p50Ms()).isNaN();
  }

  @Test
  void achievedRateCountsFromTheFirstIntendedSend() {
    assertThat(StepResult.achieved(100, 0, 2_000_000_000L)).isEqualTo(50.0);
    assertThat(StepResult.achieved(0, 0, 1)).isZero();
  }

  @Test
  void maxSearchStopsAtTheFirstUnsustainedStep() throws Exception {
    List<Double> tried = new ArrayList<>();
    Workload fake =
        (n, rate) -> {
          tried.add(rate);
          double achieved = rate <= 200 ? rate : 150; // saturates above 200/s
          return result("fake", rate, n, n, achieved, rate <= 200 ? 20 : 3000);
        };
    MaxSearch.Outcome outcome = MaxSearch.search(fake, 100, MaxSearch.rates(50, 1600));
    // Two misses in a row end it.
    assertThat(tried).containsExactly(50.0, 100.0, 200.0, 400.0, 800.0);
    assertThat(outcome.maxSustainedPerSec()).isEqualTo(200.0);
    assertThat(outcome.maxKeptUpPerSec()).isEqualTo(200.0);

    // A latency miss alone does not end it, and throughput that kept up is reported apart.
    Workload slowButSteady =
        (n, rate) ->
            result("fake", rate, n, n, rate <= 100 ? rate : rate / 2, rate == 50 ? 1500 : 20);
    MaxSearch.Outcome o2 = MaxSearch.search(slowButSteady, 100, MaxSearch.rates(50, 1600));
    assertThat(o2.maxSustainedPerSec()).isEqualTo(100.0);
    assertThat(o2.maxKeptUpPerSec()).isEqualTo(100.0);
    assertThat(MaxSearch.stepSize(100, 1)).isEqualTo(50);
    assertThat(MaxSearch.stepSize(100, 5)).isEqualTo(50);
    assertThat(MaxSearch.stepSize(100, 50)).isEqualTo(400);
    assertThat(MaxSearch.stepSize(100, 1600)).isEqualTo(400);
    assertThat(MaxSearch.sustained(result("x", 100, 10, 9, 100, 10))).isFalse();
  }

  @Test
  void reportCarriesTheSameNumbersInMarkdownAndJson() {
    StepResult ours = result("conductor", 50, 100, 100, 49.5, 40);
    StepResult floor = result("floor", 50, 100, 100, 50, 4);
    Report report =
        new Report(
            Map.of("cores", "2"),
            List.of(ours),
            List.of(floor),
            new MaxSearch.Outcome(List.of(ours), 50, 50),
            new MaxSearch.Outcome(List.of(floor), 50, 50));
    assertThat(report.markdown())
        .contains("## 50 per second offered")
        .contains("p50 **10.0")
        .contains("Maximum sustained: ours **50 runs/s**");
    assertThat(report.json()).contains("\"p50\" : 10.0").contains("\"conductorRunsPerSec\" : 50.0");
  }

  @Test
  void optionsParse() {
    Bench.Options o = Bench.Options.parse("--runs", "20", "--rates=10,max", "--warmup", "0");
    assertThat(o.runs()).isEqualTo(20);
    assertThat(o.rates()).containsExactly(10.0);
    assertThat(o.max()).isTrue();
    assertThat(o.warmup()).isZero();
    assertThatThrownBy(() -> Bench.Options.parse("--nope", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static StepResult result(
      String workload, double rate, int sent, int completed, double achieved, double p99Ms) {
    Histogram h = Latency.histogram();
    h.recordValue(Math.round(p99Ms * 1000));
    Map<String, Latency.Summary> lat = new LinkedHashMap<>();
    lat.put("latency", Latency.Summary.of(h));
    return new StepResult(
        workload, rate, sent, completed, 0, 0, sent - completed, achieved, 1, lat);
  }
}
