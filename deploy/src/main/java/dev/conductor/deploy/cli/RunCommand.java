package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Starts a run and follows it to the end: exit 0 when it succeeded, 1 otherwise. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Starts a run of <workspace>/<pipeline> and follows it to the end.")
final class RunCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "WORKSPACE/PIPELINE")
  String target;

  @Option(
      names = "--env",
      defaultValue = "dev",
      description = "Environment (pool), default ${DEFAULT-VALUE}.")
  String env;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "KEY=VALUE",
      description = "A run parameter.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--as",
      defaultValue = "alice",
      description = "Principal to run as (${DEFAULT-VALUE}).")
  String as;

  @Option(
      names = "--timeout",
      defaultValue = "300",
      description = "Seconds to wait (${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() {
    int slash = target.indexOf('/');
    if (slash <= 0 || slash == target.length() - 1) {
      throw new IllegalArgumentException("expected <workspace>/<pipeline>, e.g. demo/etl");
    }
    StackFile stack = common.stack();
    Api api = new Api(stack);
    String runId =
        RunFollower.start(
            api, stack, as, target.substring(0, slash), target.substring(slash + 1), env, params);
    System.out.println("started run " + runId + " of " + target + " in " + env + " as " + as);
    JsonNode run =
        RunFollower.follow(api, stack, as, runId, Duration.ofSeconds(timeoutSeconds), System.out);
    String status = run.path("status").asText();
    System.out.println("run " + runId + " " + status);
    return status.equals("succeeded") ? 0 : 1;
  }
}
