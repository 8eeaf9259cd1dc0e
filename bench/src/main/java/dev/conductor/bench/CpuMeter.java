package dev.conductor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * CPU time each process of the stack spent, read from {@code /proc/<pid>/stat}: user + system time
 * of the process, its live descendants and the children it has reaped (PostgreSQL's backends are
 * children of its postmaster, which is a child of the process the stack started). On a machine
 * where everything shares a few cores, CPU per run is what caps the rate, so the report says where
 * it goes. Outside Linux it reads nothing and the report says so.
 */
final class CpuMeter {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on every Linux we run on

  private static final String SELF = "bench (load)";

  private final Map<String, Long> pids;

  /**
   * {@code pids}: process name → pid (for PostgreSQL its postmaster, see {@link #postmaster}); the
   * benchmark's own JVM is added as "bench (load)", without the stack it started.
   */
  CpuMeter(Map<String, Long> pids) {
    Map<String, Long> all = new LinkedHashMap<>(pids);
    all.put(SELF, ProcessHandle.current().pid());
    this.pids = Map.copyOf(all);
  }

  /** CPU milliseconds so far per process name. */
  Map<String, Double> totals() {
    Map<String, Double> out = new java.util.TreeMap<>();
    pids.forEach(
        (name, pid) ->
            out.put(
                name,
                SELF.equals(name) ? ownTicks(pid) * 1000 / TICKS_PER_SECOND : cpuMillis(pid)));
    return out;
  }

  /**
   * The postmaster of a backend: {@code pg_ctl} detaches it from the process that started the
   * database, so it is found through a connection's backend pid ({@code pg_backend_pid()}).
   */
  static long postmaster(long backendPid) {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(backendPid), "status"))) {
        if (line.startsWith("PPid:")) {
          return Long.parseLong(line.substring(5).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /** "trigger 3.1, scheduler 4.2, … (total 21.0) ms CPU per run" between two readings. */
  static String perRun(Map<String, Double> before, Map<String, Double> after, int runs) {
    return per(before, after, runs, "run");
  }

  /** As {@link #perRun} for {@code n} requests of another kind ({@code unit}: "message"). */
  static String per(Map<String, Double> before, Map<String, Double> after, int n, String unit) {
    if (n <= 0 || after.values().stream().allMatch(v -> v == 0)) {
      return "not measured";
    }
    StringJoiner parts = new StringJoiner(", ");
    double total = 0;
    for (var e : after.entrySet()) {
      double ms = (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / n;
      total += ms;
      parts.add(String.format(Locale.ROOT, "%s %.2f", e.getKey(), ms));
    }
    return String.format(Locale.ROOT, "%s (total %.1f) ms CPU per %s", parts, total, unit);
  }

  private static double cpuMillis(long pid) {
    double ticks = ticks(pid);
    var handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      for (ProcessHandle d : handle.get().descendants().toList()) {
        ticks += ticks(d.pid());
      }
    }
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  /** utime + stime + cutime + cstime (reaped children) of one process; 0 if it is gone. */
  private static long ticks(long pid) {
    String[] f = stat(pid);
    return f == null ? 0 : Long.parseLong(f[13]) + Long.parseLong(f[14]) + ownTicks(pid);
  }

  /** utime + stime of one process alone. */
  private static long ownTicks(long pid) {
    String[] f = stat(pid);
    return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** Fields 3… of {@code /proc/<pid>/stat} (f[0] is the state, f[11] utime), null if gone. */
  private static String[] stat(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name (field 2) may hold spaces: fields after its closing parenthesis
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
