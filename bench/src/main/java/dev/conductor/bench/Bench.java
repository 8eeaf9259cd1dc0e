package dev.conductor.bench;

import dev.conductor.deploy.local.LocalStack;
import dev.conductor.events.Principals;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts the local stack, drives runs of a one-step {@code noop} pipeline open-loop at each
 * requested rate, measures the Kafka + PostgreSQL floor on the same broker and database, and writes
 * {@code report.md} and {@code report.json}. See bench/README.md.
 */
public final class Bench {
  // Kafka clients print their whole configuration at INFO. Held so the level sticks.
  private static final java.util.logging.Logger KAFKA_LOGS =
      java.util.logging.Logger.getLogger("org.apache.kafka");

  static {
    KAFKA_LOGS.setLevel(java.util.logging.Level.WARNING);
  }

  /** Command-line options. */
  record Options(
      int runs,
      List<Double> rates,
      boolean max,
      Path out,
      Path repo,
      int warmup,
      Duration drain,
      Duration settle,
      double searchFrom,
      int slots,
      int burst,
      String note) {

    static Options parse(String... args) {
      int runs = 500;
      String rates = "50,200,max";
      Path out = Path.of("bench/target/bench-report");
      Path repo = Path.of("");
      int warmup = 50;
      Duration drain = Duration.ofSeconds(60);
      String note = "";
      double searchFrom = MaxSearch.FIRST_RATE;
      Duration settle = null;
      int slots = 0;
      int burst = 0;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String v;
        int eq = a.indexOf('=');
        if (eq > 0) {
          v = a.substring(eq + 1);
          a = a.substring(0, eq);
        } else if (a.equals("--help") || a.equals("-h")) {
          throw new IllegalArgumentException(usage());
        } else if (i + 1 < args.length) {
          v = args[++i];
        } else {
          throw new IllegalArgumentException(a + " needs a value\n" + usage());
        }
        switch (a) {
          case "--runs" -> runs = positive(a, Integer.parseInt(v));
          case "--rates" -> rates = v;
          case "--out" -> out = Path.of(v);
          case "--repo" -> repo = Path.of(v);
          case "--warmup" -> warmup = Math.max(0, Integer.parseInt(v));
          case "--drain-seconds" -> drain = Duration.ofSeconds(positive(a, Integer.parseInt(v)));
          case "--note" -> note = v;
          case "--slots" -> slots = positive(a, Integer.parseInt(v));
          case "--burst" -> burst = positive(a, Integer.parseInt(v));
          case "--search-from" -> searchFrom = Double.parseDouble(v);
          case "--settle-seconds" -> settle = Duration.ofSeconds(positive(a, Integer.parseInt(v)));
          default -> throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
        }
      }
      List<Double> numeric = new ArrayList<>();
      boolean max = false;
      for (String r : rates.split(",")) {
        String t = r.trim();
        if (t.isEmpty()) {
          continue;
        }
        if (t.equalsIgnoreCase("max")) {
          max = true;
        } else {
          double d = Double.parseDouble(t);
          if (d <= 0) {
            throw new IllegalArgumentException("rates must be positive: " + t);
          }
          numeric.add(d);
        }
      }
      return new Options(
          runs,
          List.copyOf(numeric),
          max,
          out.toAbsolutePath().normalize(),
          repo.toAbsolutePath().normalize(),
          warmup,
          drain,
          settle != null ? settle : Duration.ofSeconds(Math.max(120, 2 * drain.toSeconds())),
          searchFrom > 0 ? searchFrom : MaxSearch.FIRST_RATE,
          slots,
          burst,
          note);
    }

    private static int positive(String option, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(option + " must be positive");
      }
      return v;
    }

    static String usage() {
      return """
          usage: Bench [--runs N] [--rates 50,200,max] [--out DIR] [--repo DIR] [--warmup N]
                       [--drain-seconds S] [--settle-seconds S] [--search-from R] [--slots N]
                       [--burst N] [--note TEXT]
            --runs           runs per rate (default 500); the floor gets the same number of messages
            --rates          offered rates per second; `max` adds the sustained-throughput search
            --out            where report.md and report.json go (default bench/target/bench-report)
            --repo           checkout whose <service>/target/quarkus-app jars run (default: cwd)
            --warmup         warm-up runs before measuring (default 50)
            --slots          slots of the dev pool's executor (default: the executor's default)
            --burst          after the rates, post N runs at once and report how fast they drain
            --drain-seconds  how long to wait for the last runs after the last send (default 60)
            --settle-seconds how long a step first waits for earlier runs to finish (default
                             max(120, 2 x drain))
            --search-from    first rate of both `max` searches, doubling from there (default
                             50): one grid for ours and the floor, so that their ratio is exact
            --note           free text copied into the report (e.g. what else used the CPU)
          """;
    }
  }

  private Bench() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    AtomicReference<LocalStack> stackRef = new AtomicReference<>();
    Thread hook =
        new Thread(
            () -> {
              closeStack(stackRef);
              stopChildren();
            },
            "bench-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int status = 0;
    try {
      run(options, stackRef);
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    } finally {
      closeStack(stackRef);
      stopChildren();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
    System.exit(status);
  }

  private static void closeStack(AtomicReference<LocalStack> ref) {
    LocalStack stack = ref.getAndSet(null);
    if (stack != null) {
      log("stopping the local stack");
      stack.close();
    }
  }

  /**
   * Interrupted while the stack was still starting, there is no stack to close yet: stop the
   * processes this JVM started (its own descendants, by pid), gently first.
   */
  private static void stopChildren() {
    List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
    if (children.isEmpty()) {
      return;
    }
    log("stopping " + children.size() + " leftover child processes");
    children.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    for (ProcessHandle child : children) {
      while (child.isAlive() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
  }

  private static void run(Options o, AtomicReference<LocalStack> stackRef) throws Exception {
    Map<String, String> facts = facts(o);
    Path state =
        o.repo()
            .resolve("bench/target/bench-state")
            .resolve(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(':', '-'));
    log("starting the local stack (state in " + state + ")");
    long t0 = System.nanoTime();
    LocalStack stack =
        LocalStack.start(
            new LocalStack.Options(
                o.repo(),
                state,
                List.of("dev"),
                "200m",
                o.slots() > 0 ? Map.of("dev", o.slots()) : Map.of(),
                null,
                null,
                0,
                null,
                // fsync and synchronous_commit on for both sides, as in production.
                true));
    stackRef.set(stack);
    facts.put("stack start", String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9));
    log("stack up:\n" + stack.report());

    List<StepResult> ours = new ArrayList<>();
    List<StepResult> floor = new ArrayList<>();
    MaxSearch.Outcome oursMax = null;
    MaxSearch.Outcome floorMax = null;
    Duration searchDrain = Duration.ofSeconds(Math.min(20, o.drain().toSeconds()));
    try (ConductorLoad conductor = new ConductorLoad(stack, o.drain(), o.settle());
        CostMeter cost =
            new CostMeter(
                stack.kafkaClient(Principals.ADMIN),
                stack.jdbcUrl(),
                stack.dbUser(),
                stack.dbPassword());
        FloorLoad fl =
            new FloorLoad(
                stack.kafkaClient(Principals.ADMIN),
                stack.jdbcUrl(),
                stack.dbUser(),
                stack.dbPassword(),
                o.drain())) {
      fl.dbSettings().forEach((k, v) -> facts.put("postgres " + k, v));
      Map<String, Long> pids = new java.util.TreeMap<>();
      stack.processes().forEach((name, p) -> pids.put(name, p.pid()));
      pids.put("postgres", cost.postmasterPid());
      CpuMeter cpu = new CpuMeter(pids);
      conductor.createPipeline();
      if (o.warmup() > 0) {
        log("warm-up: " + o.warmup() + " messages at 20/s, runs at 5/s");
        log("  " + line(fl.run(o.warmup(), 20)));
        log("  " + line(conductor.run(o.warmup(), 5)));
      }
      // The floor goes first at every rate: a saturated stack keeps working through its backlog
      // after a step gives up, and that would load the machine under the floor's feet.
      for (double rate : o.rates()) {
        log("floor at " + Report.num(rate) + "/s, " + o.runs() + " messages");
        StepResult f = fl.run(o.runs(), rate);
        log("  " + line(f));
        floor.add(f);
      }
      if (o.max()) {
        log("maximum sustained rate, floor");
        Map<Double, String> floorCpu = new HashMap<>();
        floorMax =
            MaxSearch.search(
                logged(fl, cpu, "message", floorCpu),
                o.runs(),
                MaxSearch.rates(o.searchFrom(), 12800));
        atMaximum(facts, "floor", floorMax, floorCpu);
      }
      for (double rate : o.rates()) {
        log("ours at " + Report.num(rate) + "/s, " + o.runs() + " runs");
        CostMeter.Totals before = cost.totals();
        Map<String, Double> cpuBefore = cpu.totals();
        StepResult r = conductor.run(o.runs(), rate);
        String perRun = CostMeter.perRun(cost.totals().minus(before), r.completed());
        String cpuPerRun = CpuMeter.perRun(cpuBefore, cpu.totals(), r.completed());
        log("  " + line(r));
        log("  cost: " + perRun);
        log("  cpu: " + cpuPerRun);
        facts.put("cost at " + Report.num(rate) + "/s", perRun);
        facts.put("CPU at " + Report.num(rate) + "/s", cpuPerRun);
        ours.add(r);
      }
      facts.put("RSS after the fixed rates", rss(stack));
      if (o.burst() > 0) {
        log("burst: " + o.burst() + " runs posted at once");
        CostMeter.Totals before = cost.totals();
        Map<String, Double> cpuBefore = cpu.totals();
        StepResult r = conductor.withDrain(o.drain().multipliedBy(3)).run(o.burst(), o.burst());
        log("  " + line(r));
        facts.put("CPU in the burst", CpuMeter.perRun(cpuBefore, cpu.totals(), r.completed()));
        facts.put(
            "burst of " + o.burst(),
            String.format(
                    Locale.ROOT,
                    "%d of %d succeeded, drained at %.1f runs/s; ",
                    r.completed(),
                    r.sent(),
                    r.achievedPerSec())
                + CostMeter.perRun(cost.totals().minus(before), r.completed()));
      }
      if (o.max()) {
        log("maximum sustained rate, ours");
        Map<Double, String> oursCpu = new HashMap<>();
        oursMax =
            MaxSearch.search(
                logged(conductor.withDrain(searchDrain), cpu, "run", oursCpu),
                o.runs(),
                MaxSearch.rates(o.searchFrom(), 1600));
        atMaximum(facts, "ours", oursMax, oursCpu);
      }
    }
    facts.put("load average after", loadAverage());
    Report report = new Report(facts, ours, floor, oursMax, floorMax);
    Files.createDirectories(o.out());
    String md = report.markdown();
    Files.writeString(o.out().resolve("report.md"), md, StandardCharsets.UTF_8);
    Files.writeString(o.out().resolve("report.json"), report.json(), StandardCharsets.UTF_8);
    System.out.println();
    System.out.println(md);
    log("wrote " + o.out().resolve("report.md") + " and report.json");
  }

  /** Resident memory per process, from {@link LocalStack#report()}. */
  private static String rss(LocalStack stack) {
    StringBuilder out = new StringBuilder();
    for (var e : new java.util.TreeMap<>(stack.processes()).entrySet()) {
      out.append(out.isEmpty() ? "" : ", ")
          .append(e.getKey())
          .append(' ')
          .append(e.getValue().rssMib())
          .append(" MiB");
    }
    return out.toString();
  }

  /** A search step, logged with the CPU each process spent per completed {@code unit}. */
  private static Workload logged(
      Workload w, CpuMeter cpu, String unit, Map<Double, String> cpuByRate) {
    return (n, rate) -> {
      log("  step: " + n + " at " + Report.num(rate) + "/s");
      Map<String, Double> before = cpu.totals();
      StepResult r = w.run(n, rate);
      String perRequest = CpuMeter.per(before, cpu.totals(), r.completed(), unit);
      cpuByRate.put(rate, perRequest);
      log("    " + line(r) + (MaxSearch.sustained(r) ? "  sustained" : "  NOT sustained"));
      log("    cpu: " + perRequest);
      return r;
    };
  }

  /**
   * CPU per request at a search's maximum sustained rate: a floor message and a run of ours, each
   * where the machine is (nearly) full, so that idle costs weigh little and the two compare.
   */
  private static void atMaximum(
      Map<String, String> facts, String who, MaxSearch.Outcome max, Map<Double, String> cpu) {
    String atMax = cpu.get(max.maxSustainedPerSec());
    if (atMax != null) {
      facts.put(
          "CPU at " + who + " maximum (" + Report.num(max.maxSustainedPerSec()) + "/s)", atMax);
    }
  }

  static String line(StepResult r) {
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s offered %s/s: %d sent, %d completed, %d failed, %d rejected, %d timed out,"
                    + " achieved %.1f/s",
                r.workload(),
                Report.num(r.offeredPerSec()),
                r.sent(),
                r.completed(),
                r.failed(),
                r.rejected(),
                r.timedOut(),
                r.achievedPerSec()));
    r.latencies()
        .forEach(
            (k, v) ->
                s.append(
                    String.format(
                        Locale.ROOT,
                        "; %s p50 %.2f p95 %.2f p99 %.2f max %.2f ms",
                        k,
                        v.p50Ms(),
                        v.p95Ms(),
                        v.p99Ms(),
                        v.maxMs())));
    return s.toString();
  }

  private static Map<String, String> facts(Options o) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("date (UTC)", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    f.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    f.put("cpu", cpuModel());
    f.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    f.put("java -version", javaVersion());
    f.put("load average before", loadAverage());
    f.put("runs per rate", Integer.toString(o.runs()));
    f.put("warm-up runs", Integer.toString(o.warmup()));
    f.put(
        "waits",
        "drain "
            + o.drain().toSeconds()
            + " s after a step's last send (search: ≤ 20 s); settle ≤ "
            + o.settle().toSeconds()
            + " s for earlier runs before a step");
    f.put(
        "pipeline",
        "demo/bench: one noop step, smallrc, pool dev ("
            + (o.slots() > 0 ? o.slots() + " slots" : "executor default slots")
            + ")");
    f.put("service heap", "-Xmx200m -XX:+UseSerialGC each");
    if (!o.note().isBlank()) {
      f.put("note", o.note());
    }
    return f;
  }

  private static String loadAverage() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    try {
      String s = Files.readString(Path.of("/proc/loadavg")).trim();
      String[] p = s.split("\\s+");
      return p[0] + " " + p[1] + " " + p[2];
    } catch (IOException | RuntimeException e) {
      return String.format(Locale.ROOT, "%.2f", l);
    }
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown";
  }

  private static String javaVersion() {
    try {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return out;
    } catch (Exception e) {
      return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }
  }

  private static void log(String message) {
    System.err.println("[bench " + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "] " + message);
  }
}
