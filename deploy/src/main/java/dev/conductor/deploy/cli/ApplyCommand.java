package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.deploy.local.LocalStack;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Sends each section of a workspace document to the service that owns it (DESIGN §7) and prints the
 * diff. Today only {@code pipelines} has a live API (trigger-service); the sections the local stack
 * takes at {@code up} (pools, resource classes, principals, identities) are compared with what the
 * running stack started from, and a difference there is an error, not a silent no-op.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = "Applies a workspace document to the running stack and prints the diff.")
final class ApplyCommand implements Callable<Integer> {
  private static final List<String> UP_TIME =
      List.of("pools", "resourceClasses", "principals", "identities");
  private static final List<String> PIPELINE_META =
      List.of("workspace", "pipeline", "version", "updatedAt", "updatedBy");

  @Mixin CommonOptions common;

  @Option(names = "-f", required = true, paramLabel = "FILE", description = "workspace.yaml")
  Path file;

  @Option(names = "--dry-run", description = "Only print what would change.")
  boolean dryRun;

  @Option(
      names = "--as",
      defaultValue = "admin",
      description = "Principal to act as (${DEFAULT-VALUE}).")
  String as;

  @Override
  public Integer call() {
    StackFile stack = common.stack();
    WorkspaceDocument doc = WorkspaceDocument.read(file.toAbsolutePath());
    Api api = new Api(stack);
    String ws = doc.workspace();
    int problems = 0;
    int changes = 0;
    System.out.println("workspace " + ws + (dryRun ? " (dry run: nothing is changed)" : ""));

    for (Map.Entry<String, JsonNode> e : doc.pipelines().entrySet()) {
      String name = e.getKey();
      String url =
          stack.url(LocalStack.TRIGGER) + "/api/v1/workspaces/" + ws + "/pipelines/" + name;
      Api.Answer current = api.get(as, url);
      List<String> diff;
      String verdict;
      if (current.status() == 404) {
        diff = List.of();
        verdict = "added";
      } else if (!current.ok()) {
        System.out.println("  pipelines/" + name + ": cannot read (" + current.problem() + ")");
        problems++;
        continue;
      } else {
        ObjectNode definition = current.body().deepCopy();
        PIPELINE_META.forEach(definition::remove);
        diff = JsonDiff.paths(e.getValue(), definition);
        verdict = diff.isEmpty() ? "unchanged" : "changed";
      }
      String version =
          current.ok() ? " (now version " + current.body().path("version").asInt() + ")" : "";
      System.out.println("  pipelines/" + name + ": " + verdict + version);
      diff.forEach(d -> System.out.println("      " + d));
      if (verdict.equals("unchanged")) {
        continue;
      }
      changes++;
      if (!dryRun) {
        Api.Answer put = api.put(as, url, e.getValue());
        if (put.ok()) {
          System.out.println("      applied: version " + put.body().path("version").asInt());
        } else {
          System.out.println("      refused: " + put.problem());
          problems++;
        }
      }
    }

    JsonNode running = stack.workspace();
    for (String section : UP_TIME) {
      JsonNode desired = doc.doc().path(section);
      if (desired.isMissingNode()) {
        continue;
      }
      boolean sameWorkspace = ws.equals(running.path("workspace").asText());
      List<String> diff = JsonDiff.paths(desired, running.path(section));
      if (sameWorkspace && diff.isEmpty()) {
        System.out.println("  " + section + ": unchanged (taken at `up`)");
      } else {
        System.out.println(
            "  "
                + section
                + ": DIFFERS from the running stack, and has no live API yet: it is"
                + " applied only at `up` (./conductor down && ./conductor up -f "
                + file
                + ")");
        diff.forEach(d -> System.out.println("      " + d));
        problems++;
      }
    }
    doc.doc()
        .fieldNames()
        .forEachRemaining(
            section -> {
              if (!WorkspaceDocument.KNOWN.contains(section)) {
                System.out.println("  " + section + ": NOT SUPPORTED yet by the local stack");
              }
            });
    long unsupported =
        iterable(doc.doc()).stream().filter(s -> !WorkspaceDocument.KNOWN.contains(s)).count();
    problems += (int) unsupported;
    System.out.println(
        (dryRun ? "would change " : "changed ")
            + changes
            + " pipeline(s)"
            + (problems > 0 ? "; " + problems + " section(s) not applied" : ""));
    return problems > 0 ? 1 : 0;
  }

  private static List<String> iterable(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
