package dev.conductor.deploy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./conductor}: the local runner. The shell launcher only finds Java and builds what is
 * missing; everything else is here, one class per subcommand.
 */
@Command(
    name = "conductor",
    mixinStandardHelpOptions = true,
    description = "Runs Conductor on this machine: Kafka, PostgreSQL and the five services.",
    subcommands = {
      UpCommand.class,
      DownCommand.class,
      StatusCommand.class,
      ApplyCommand.class,
      TokenCommand.class,
      RunCommand.class,
      AuditCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    quietLibraries();
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + message(e));
          return 1;
        });
    System.exit(cli.execute(args));
  }

  static String message(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.io.UncheckedIOException)
        && t.getCause() != null
        && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /** Kafka's clients log their whole configuration at INFO; the runner prints only what matters. */
  private static final java.util.logging.Logger KAFKA_LOGS =
      java.util.logging.Logger.getLogger("org.apache.kafka");

  private static void quietLibraries() {
    KAFKA_LOGS.setLevel(java.util.logging.Level.WARNING);
  }
}
