package dev.conductor.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's findings as Markdown and JSON (the same numbers in both). */
record Report(
    Map<String, String> facts,
    List<StepResult> conductor,
    List<StepResult> floor,
    MaxSearch.Outcome conductorMax,
    MaxSearch.Outcome floorMax) {

  /** ours / floor; NaN when either side is missing. */
  static double ratio(double ours, double floor) {
    if (Double.isNaN(ours) || Double.isNaN(floor) || floor == 0) {
      return Double.NaN;
    }
    return ours / floor;
  }

  record Ratios(double p50, double p99, double throughput) {
    static Ratios of(StepResult ours, StepResult floor) {
      Latency.Summary o = ours.primary();
      Latency.Summary f = floor.primary();
      return new Ratios(
          ratio(o.p50Ms(), f.p50Ms()),
          ratio(o.p99Ms(), f.p99Ms()),
          ratio(ours.achievedPerSec(), floor.achievedPerSec()));
    }
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Conductor benchmark\n\n");
    md.append("| fact | value |\n| --- | --- |\n");
    facts.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n"));
    md.append(
        "\nOpen-loop load: requests go out at their intended times whatever the answers, and every"
            + " latency is measured from the intended send time (corrected for coordinated"
            + " omission). Ours = `POST /runs` → first `attempt.started` on"
            + " `conductor.attempts.dev` (job-start) and → `run.succeeded` on `conductor.runs`"
            + " (finished), as received by one consumer in the benchmark's JVM. Floor = the same"
            + " number of messages at the same rate through four plain consume→produce Kafka hops"
            + " with two PostgreSQL INSERT+COMMITs, on the same broker and database. Ratio = ours"
            + " (job-start) / floor (end-to-end); for throughput, our runs/s / floor msgs/s.\n");
    for (int i = 0; i < conductor.size(); i++) {
      StepResult ours = conductor.get(i);
      md.append("\n## ").append(num(ours.offeredPerSec())).append(" per second offered\n\n");
      StepResult fl = i < floor.size() ? floor.get(i) : null;
      table(md, fl == null ? List.of(ours) : List.of(ours, fl));
      if (fl != null) {
        Ratios r = Ratios.of(ours, fl);
        md.append("\nRatio ours/floor: p50 **")
            .append(x(r.p50()))
            .append("**, p99 **")
            .append(x(r.p99()))
            .append("**, throughput **")
            .append(x(r.throughput()))
            .append("**\n");
      }
    }
    if (conductorMax != null) {
      md.append("\n## Maximum sustained rate\n\nCriterion per step: ")
          .append(MaxSearch.CRITERION)
          .append(
              ". Rates double on one grid for both searches; each step offers "
                  + MaxSearch.STEP_SECONDS
                  + " s of load (at least 50, at most 4×N requests).\n\n");
      List<StepResult> all = new ArrayList<>(conductorMax.steps());
      if (floorMax != null) {
        all.addAll(floorMax.steps());
      }
      table(md, all);
      md.append("\nMaximum sustained: ours **")
          .append(num(conductorMax.maxSustainedPerSec()))
          .append(" runs/s**");
      if (floorMax != null) {
        md.append(", floor **")
            .append(num(floorMax.maxSustainedPerSec()))
            .append(" msgs/s**, ratio **")
            .append(x(ratio(conductorMax.maxSustainedPerSec(), floorMax.maxSustainedPerSec())))
            .append("**");
        if (floorMax.steps().size() > 0
            && MaxSearch.sustained(floorMax.steps().get(floorMax.steps().size() - 1))) {
          md.append(" (the floor search stopped at its highest step, not at a failure)");
        }
      }
      md.append(
              ".\n\nHighest rate whose throughput kept up (all completed, achieved ≥ 90%), latency")
          .append(" aside: ours **")
          .append(num(conductorMax.maxKeptUpPerSec()))
          .append(" runs/s**");
      if (floorMax != null) {
        md.append(", floor **").append(num(floorMax.maxKeptUpPerSec())).append(" msgs/s**");
      }
      md.append(".\n");
    }
    return md.toString();
  }

  private static void table(StringBuilder md, List<StepResult> rows) {
    md.append(
        "| workload | offered/s | sent | completed | failed | rejected | timed out | achieved/s |"
            + " latency | p50 ms | p95 ms | p99 ms | max ms |\n");
    md.append(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n");
    for (StepResult r : rows) {
      for (Map.Entry<String, Latency.Summary> e : r.latencies().entrySet()) {
        Latency.Summary s = e.getValue();
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d | %d | %d | %d | %d | %.1f | %s | %s | %s | %s | %s |%n",
                r.workload(),
                num(r.offeredPerSec()),
                r.sent(),
                r.completed(),
                r.failed(),
                r.rejected(),
                r.timedOut(),
                r.achievedPerSec(),
                e.getKey(),
                ms(s.p50Ms()),
                ms(s.p95Ms()),
                ms(s.p99Ms()),
                ms(s.maxMs())));
      }
    }
  }

  String json() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("facts", facts);
    List<Object> rates = new ArrayList<>();
    for (int i = 0; i < conductor.size(); i++) {
      Map<String, Object> rate = new LinkedHashMap<>();
      rate.put("offeredPerSec", conductor.get(i).offeredPerSec());
      rate.put("conductor", step(conductor.get(i)));
      if (i < floor.size()) {
        rate.put("floor", step(floor.get(i)));
        Ratios r = Ratios.of(conductor.get(i), floor.get(i));
        rate.put(
            "ratio",
            Map.of("p50", jn(r.p50()), "p99", jn(r.p99()), "throughput", jn(r.throughput())));
      }
      rates.add(rate);
    }
    doc.put("rates", rates);
    if (conductorMax != null) {
      Map<String, Object> max = new LinkedHashMap<>();
      max.put("criterion", MaxSearch.CRITERION);
      max.put("conductorRunsPerSec", conductorMax.maxSustainedPerSec());
      max.put("conductorKeptUpRunsPerSec", conductorMax.maxKeptUpPerSec());
      max.put("conductorSteps", conductorMax.steps().stream().map(Report::step).toList());
      if (floorMax != null) {
        max.put("floorMsgsPerSec", floorMax.maxSustainedPerSec());
        max.put("floorKeptUpMsgsPerSec", floorMax.maxKeptUpPerSec());
        max.put("floorSteps", floorMax.steps().stream().map(Report::step).toList());
        max.put(
            "ratio", jn(ratio(conductorMax.maxSustainedPerSec(), floorMax.maxSustainedPerSec())));
      }
      doc.put("maxSustained", max);
    }
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> step(StepResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workload", r.workload());
    m.put("offeredPerSec", r.offeredPerSec());
    m.put("sent", r.sent());
    m.put("completed", r.completed());
    m.put("failed", r.failed());
    m.put("rejected", r.rejected());
    m.put("timedOut", r.timedOut());
    m.put("achievedPerSec", jn(r.achievedPerSec()));
    m.put("seconds", jn(r.seconds()));
    m.put("sustained", MaxSearch.sustained(r));
    m.put("keptUp", MaxSearch.keptUp(r));
    Map<String, Object> lat = new LinkedHashMap<>();
    r.latencies()
        .forEach(
            (k, s) -> {
              Map<String, Object> q = new LinkedHashMap<>();
              q.put("count", s.count());
              q.put("p50Ms", jn(s.p50Ms()));
              q.put("p95Ms", jn(s.p95Ms()));
              q.put("p99Ms", jn(s.p99Ms()));
              q.put("maxMs", jn(s.maxMs()));
              lat.put(k, q);
            });
    m.put("latencies", lat);
    return m;
  }

  /** JSON has no NaN: missing numbers are null. */
  private static Object jn(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 1000) / 1000d;
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String x(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f×", v);
  }

  static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String cell(String v) {
    return v.replace("|", "\\|").replace("\n", "<br>");
  }
}
