package dev.conductor.deploy.cli;

import dev.conductor.deploy.local.ManagedProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * What runs, where, how much memory it holds (RSS) and whether each service is ready: exit 0 only
 * when all are.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows what runs, where, and whether it is healthy.")
final class StatusCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    Path state = common.state();
    Path file = state.resolve(StackFile.NAME);
    if (!Files.isRegularFile(file)) {
      System.out.println("nothing runs from " + state + " (no " + StackFile.NAME + ")");
      return 1;
    }
    StackFile stack = StackFile.read(file);
    boolean upAlive = stack.upAlive();
    System.out.println(
        "stack from "
            + state
            + ": "
            + (upAlive ? "up (pid " + stack.upPid() + ")" : "NOT RUNNING"));
    int unhealthy = upAlive ? 0 : 1;
    for (Map.Entry<String, Long> e : stack.pids().entrySet()) {
      String name = e.getKey();
      boolean alive = ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false);
      String url = stack.urls().get(name);
      String where = url != null ? url : name.equals("kafka") ? stack.bootstrap() : stack.jdbcUrl();
      String health;
      if (!alive) {
        health = "DOWN (process gone)";
      } else if (url != null) {
        health = ready(url) ? "healthy" : "NOT READY";
      } else {
        health = "running";
      }
      if (!health.equals("healthy") && !health.equals("running")) {
        unhealthy++;
      }
      long rss = alive ? ManagedProcess.rssMib(e.getValue()) : -1;
      System.out.printf(
          "  %-28s pid %-7d %-45s %-9s %s%n",
          name, e.getValue(), where, rss < 0 ? "" : rss + " MiB", health);
    }
    System.out.println(
        unhealthy == 0 ? "all healthy" : unhealthy + " not healthy; logs in " + stack.logs());
    return unhealthy == 0 ? 0 : 1;
  }

  private static boolean ready(String url) {
    try {
      return Api.send(
                  HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                      .timeout(Duration.ofSeconds(3))
                      .GET())
              .status()
          == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
