package dev.conductor.deploy.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Every process a stack starts, noted in {@code <state>/pids/<name>} as pid and start time, so that
 * the next start from the same state directory can stop what a killed launcher left running (a
 * launcher killed with SIGKILL cannot stop its children). The start time makes sure a recycled pid
 * is never taken for ours.
 */
public final class Leftovers {
  private static final String DIR = "pids";

  private Leftovers() {}

  static void record(Path stateDir, String name, long pid) {
    Optional<Instant> started = ProcessHandle.of(pid).flatMap(p -> p.info().startInstant());
    try {
      Path dir = Files.createDirectories(stateDir.resolve(DIR));
      Files.writeString(
          dir.resolve(name), pid + " " + started.map(Instant::toEpochMilli).orElse(-1L) + "\n");
    } catch (IOException e) {
      // Only a convenience for the next start: never fail this one over it.
    }
  }

  /** Stops the processes of an earlier stack from {@code stateDir} that are still running. */
  public static List<String> stop(Path stateDir) {
    Path dir = stateDir.resolve(DIR);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> stopped = files.flatMap(f -> stopOne(f).stream()).toList();
      return stopped;
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Optional<String> stopOne(Path file) {
    try {
      String[] parts = Files.readString(file).trim().split(" ");
      Files.deleteIfExists(file);
      long pid = Long.parseLong(parts[0]);
      long started = Long.parseLong(parts[1]);
      Optional<ProcessHandle> process =
          ProcessHandle.of(pid)
              .filter(ProcessHandle::isAlive)
              .filter(
                  p -> p.info().startInstant().map(Instant::toEpochMilli).orElse(-2L) == started);
      if (process.isEmpty()) {
        return Optional.empty();
      }
      ProcessHandle p = process.get();
      List<ProcessHandle> children = p.descendants().toList();
      p.destroy();
      try {
        p.onExit().get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      return Optional.of(file.getFileName() + " (pid " + pid + ")");
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
