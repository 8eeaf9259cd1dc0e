package dev.conductor.deploy.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every subcommand accepts (so they can be written after the subcommand). */
final class CommonOptions {
  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Logs and state of the local stack (default: .conductor/ at the repository root).")
  Path stateDir;

  @Option(
      names = "--no-build",
      description = "Do not build missing jars (handled by the ./conductor launcher).")
  boolean noBuild;

  /** The repository root: {@code -Dconductor.repo} from the launcher, else the working dir. */
  static Path repo() {
    return Path.of(System.getProperty("conductor.repo", ".")).toAbsolutePath().normalize();
  }

  Path state() {
    return (stateDir == null ? repo().resolve(".conductor") : stateDir)
        .toAbsolutePath()
        .normalize();
  }

  /** The running stack this state dir describes, or a clear error. */
  StackFile stack() {
    Path file = state().resolve(StackFile.NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "no stack in " + state() + ": start one with ./conductor up" + hint());
    }
    StackFile stack = StackFile.read(file);
    if (!stack.upAlive()) {
      throw new IllegalStateException(
          "the stack in "
              + state()
              + " is not running (pid "
              + stack.upPid()
              + " is gone): "
              + "./conductor up");
    }
    return stack;
  }

  private String hint() {
    return stateDir == null ? "" : " --state-dir " + stateDir;
  }
}
