package dev.conductor.deploy.cli;

import dev.conductor.deploy.local.LocalStack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints a fresh token from the local issuer for a demo principal: for the REST API, or with {@code
 * --for triggers} for a trigger on Kafka. Each audience is its own: one is never accepted for the
 * other.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Prints a fresh token from the local issuer for a demo principal.")
final class TokenCommand implements Callable<Integer> {
  /** What a token is for. */
  enum Use {
    api,
    triggers
  }

  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "e.g. alice, bob, admin")
  String principal;

  @Option(
      names = "--for",
      paramLabel = "USE",
      defaultValue = "api",
      description = "api (the REST API, default) or triggers (conductor.triggers on Kafka)")
  Use use;

  @Override
  public Integer call() {
    String audience = use == Use.triggers ? LocalStack.TRIGGERS_AUDIENCE : LocalStack.API_AUDIENCE;
    System.out.println(new Api(common.stack()).freshToken(principal, audience));
    return 0;
  }
}
