package dev.conductor.deploy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Prints a fresh token from the local issuer for a demo principal (e.g. for a Kafka trigger). */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Prints a fresh token from the local issuer for a demo principal.")
final class TokenCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "e.g. alice, bob, admin")
  String principal;

  @Override
  public Integer call() {
    System.out.println(new Api(common.stack()).freshToken(principal));
    return 0;
  }
}
