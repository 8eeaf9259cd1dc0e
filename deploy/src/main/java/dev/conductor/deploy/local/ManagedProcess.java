package dev.conductor.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One OS process the local stack started, with its output in a log file. Closing it stops the
 * process and every process it started (PostgreSQL's server runs as a child of its launcher), so
 * nothing is left behind on success or failure.
 */
public final class ManagedProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String name;
  private final Process process;
  private final Path log;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public static ManagedProcess start(String name, List<String> command, Path log) {
    return start(name, command, Map.of(), log);
  }

  /** Starts with extra environment variables: secrets go there, never on a command line. */
  public static ManagedProcess start(
      String name, List<String> command, Map<String, String> environment, Path log) {
    return start(name, command, environment, null, log);
  }

  /** As above, in {@code directory} (null: this process's working directory). */
  public static ManagedProcess start(
      String name,
      List<String> command,
      Map<String, String> environment,
      Path directory,
      Path log) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().putAll(environment);
      if (directory != null) {
        builder.directory(directory.toFile());
      }
      Process process =
          builder
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      return new ManagedProcess(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  /** Resident memory in MiB from /proc (Linux), or -1 where it cannot be read. */
  public long rssMib() {
    return rssMib(process.pid());
  }

  /** The resident memory of any process in MiB, or -1 when unknown (not Linux, or gone). */
  public static long rssMib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or already gone
    }
    return -1;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Waits for the process to end; its exit code, or empty if it still runs after the timeout. */
  public Optional<Integer> awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
          ? Optional.of(process.exitValue())
          : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The whole log so far. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Waits for a line of output matching {@code pattern}; returns its first group. */
  public String awaitLine(Pattern pattern, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Optional<String> found = find(pattern);
      if (found.isPresent()) {
        return found.get();
      }
      failIfDead();
      pause();
    }
    throw new IllegalStateException(name + " did not get ready in " + timeout + tail());
  }

  /** Waits until {@code url} answers 200 (a readiness endpoint). */
  public void awaitHttpOk(String url, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build();
    while (Instant.now().isBefore(deadline)) {
      try {
        if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      failIfDead();
      pause();
    }
    throw new IllegalStateException(name + " was not ready at " + url + " in " + timeout + tail());
  }

  private Optional<String> find(Pattern pattern) {
    try {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return Optional.of(m.groupCount() > 0 ? m.group(1) : line);
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private void failIfDead() {
    if (!process.isAlive()) {
      throw new IllegalStateException(Diagnosis.of(name, process.exitValue(), logLines()) + tail());
    }
  }

  private List<String> logLines() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The last lines of the log, for error messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "\n--- last lines of "
          + log
          + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return " (no log at " + log + ")";
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the process gracefully (SIGTERM), then forcibly, and any children it leaves behind. */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroy();
        child.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> null).join();
        if (child.isAlive()) {
          child.destroyForcibly();
        }
      }
    }
  }
}
