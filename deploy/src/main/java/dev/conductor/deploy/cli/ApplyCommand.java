package dev.conductor.deploy.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Sends each section of a workspace document to the service that owns it (DESIGN §7) and prints the
 * diff. Exits 1 when any section is refused (nothing is applied then) or when a local-stack setting
 * differs from what the running stack started with (those apply only at {@code up}).
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = "Applies a workspace document to the running stack and prints the diff.")
final class ApplyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "-f", required = true, paramLabel = "FILE", description = "workspace.yaml")
  Path file;

  @Option(names = "--dry-run", description = "Only print what would change.")
  boolean dryRun;

  @Option(
      names = "--as",
      defaultValue = "admin",
      description = "Principal to act as; needs config.write (${DEFAULT-VALUE}).")
  String as;

  @Override
  public Integer call() {
    StackFile stack = common.stack();
    WorkspaceDocument doc = WorkspaceDocument.read(file.toAbsolutePath());
    System.out.println(
        "workspace " + doc.workspace() + (dryRun ? " (dry run: nothing is changed)" : ""));
    Applier.Outcome outcome = new Applier(new Api(stack), stack, as, System.out).apply(doc, dryRun);
    List<String> local = Applier.localDifferences(doc, stack.workspace());
    for (String setting : local) {
      System.out.println(
          "  "
              + setting
              + ": DIFFERS from the running stack; local-stack settings apply only at `up`"
              + " (./conductor down && ./conductor up -f "
              + file
              + ")");
    }
    System.out.println(
        (dryRun ? "would change " : "changed ")
            + outcome.changedSections()
            + " section(s)"
            + (outcome.ok() ? "" : "; refused: " + outcome.problems().size() + " section(s)"));
    return outcome.ok() && local.isEmpty() ? 0 : 1;
  }
}
