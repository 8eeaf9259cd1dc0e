package dev.conductor.deploy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Stops a running {@code up}: SIGTERM to its process, whose shutdown hook stops every process it
 * started; then makes sure none of the pids in stack.json is left.
 */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = "Stops the local stack that ./conductor up started.")
final class DownCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--timeout",
      defaultValue = "120",
      description = "Seconds to wait (${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    Path state = common.state();
    Path stackJson = state.resolve(StackFile.NAME);
    StackFile stack = Files.isRegularFile(stackJson) ? StackFile.read(stackJson) : null;
    Optional<ProcessHandle> up = upProcess(state, stack);
    if (up.isEmpty() && stack == null) {
      System.out.println("nothing runs from " + state);
      return 0;
    }
    if (up.isPresent()) {
      ProcessHandle handle = up.get();
      System.out.println("stopping the stack (pid " + handle.pid() + ") ...");
      handle.destroy();
      try {
        handle.onExit().get(timeoutSeconds, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        System.err.println(
            "pid " + handle.pid() + " did not stop in " + timeoutSeconds + " s: killing");
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
      }
    }
    int left = 0;
    if (stack != null) {
      for (Map.Entry<String, Long> e : stack.pids().entrySet()) {
        Optional<ProcessHandle> p = ProcessHandle.of(e.getValue()).filter(ProcessHandle::isAlive);
        if (p.isPresent()) {
          left++;
          System.err.println(
              e.getKey() + " (pid " + e.getValue() + ") was still running: stopping it");
          p.get().descendants().forEach(ProcessHandle::destroy);
          p.get().destroy();
          try {
            p.get().onExit().get(20, TimeUnit.SECONDS);
          } catch (java.util.concurrent.TimeoutException ex) {
            p.get().destroyForcibly();
          }
        }
      }
    }
    System.out.println(
        "stopped" + (left > 0 ? " (" + left + " process(es) had to be stopped one by one)" : ""));
    return 0;
  }

  private static Optional<ProcessHandle> upProcess(Path state, StackFile stack) {
    long pid = -1;
    try {
      Path pidFile = state.resolve(UpCommand.PID_FILE);
      if (Files.isRegularFile(pidFile)) {
        pid = Long.parseLong(Files.readString(pidFile).trim());
      }
    } catch (IOException | NumberFormatException e) {
      // fall back to stack.json
    }
    if (pid < 0 && stack != null) {
      pid = stack.upPid();
    }
    return pid < 0 ? Optional.empty() : ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
  }
}
