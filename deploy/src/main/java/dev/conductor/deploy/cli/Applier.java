package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sends each section of a workspace document to the service that owns it ({@code PUT
 * .../config/<section>}, DESIGN §7) and prints the diff each service answers. Every section is
 * first sent as a dry run, so a document with any invalid or unsupported section changes nothing;
 * only then are the sections applied, in {@link WorkspaceDocument#SECTIONS} order.
 */
final class Applier {
  /** What an apply did: sections that changed (or would), and sections refused. */
  record Outcome(int changedSections, List<String> problems) {
    boolean ok() {
      return problems.isEmpty();
    }
  }

  private final Api api;
  private final StackFile stack;
  private final String as;
  private final PrintStream out;

  Applier(Api api, StackFile stack, String as, PrintStream out) {
    this.api = api;
    this.stack = stack;
    this.as = as;
    this.out = out;
  }

  Outcome apply(WorkspaceDocument doc, boolean dryRun) {
    List<String> problems = new ArrayList<>();
    for (String key : doc.unknownKeys()) {
      problems.add(key + ": not a section of a workspace document");
      out.println("  " + key + ": NOT A SECTION (sections: " + sectionNames() + ")");
    }
    List<WorkspaceDocument.Section> present = new ArrayList<>();
    int changed = 0;
    for (WorkspaceDocument.Section section : WorkspaceDocument.SECTIONS) {
      if (doc.body(section) == null) {
        continue;
      }
      present.add(section);
      Api.Answer check = put(doc, section, true);
      if (!check.ok()) {
        problems.add(section.name() + ": " + refusal(section, check));
        out.println("  " + label(section) + ": REFUSED: " + refusal(section, check));
        printErrors(check.body());
      } else if (dryRun) {
        changed += print(section, check.body(), true);
      }
    }
    if (dryRun || !problems.isEmpty()) {
      if (!dryRun) {
        out.println("nothing applied: fix the sections above first");
      }
      return new Outcome(changed, problems);
    }
    for (WorkspaceDocument.Section section : present) {
      Api.Answer put = put(doc, section, false);
      if (!put.ok()) {
        // Valid a moment ago: someone changed what it refers to meanwhile. Say so and go on.
        problems.add(section.name() + ": " + refusal(section, put));
        out.println("  " + label(section) + ": REFUSED: " + refusal(section, put));
        printErrors(put.body());
      } else {
        changed += print(section, put.body(), false);
      }
    }
    return new Outcome(changed, problems);
  }

  private Api.Answer put(WorkspaceDocument doc, WorkspaceDocument.Section section, boolean dryRun) {
    String url = stack.url(section.service()) + section.path(doc.workspace()) + "?dryRun=" + dryRun;
    return api.put(as, url, doc.body(section));
  }

  /** Prints a ConfigDiff answer; 1 when it changed (or would) something. */
  private int print(WorkspaceDocument.Section section, JsonNode diff, boolean dryRun) {
    JsonNode changes = diff.path("changes");
    String version = diff.path("version").asText("?");
    if (changes.isEmpty()) {
      out.println("  " + label(section) + ": unchanged (version " + version + ")");
      return 0;
    }
    out.println(
        "  "
            + label(section)
            + ": "
            + changes.size()
            + (changes.size() == 1 ? " change" : " changes")
            + (dryRun
                ? " would be made (version now " + version + ")"
                : ", now version " + version));
    for (JsonNode change : changes) {
      String sign =
          switch (change.path("op").asText()) {
            case "add" -> "+";
            case "remove" -> "-";
            default -> "~";
          };
      out.println("      " + sign + " " + change.path("item").asText());
      change.path("details").forEach(d -> out.println("          " + d.asText()));
    }
    return 1;
  }

  private static String refusal(WorkspaceDocument.Section section, Api.Answer answer) {
    if (answer.is("not-found")) {
      return section.service() + " does not support this section yet (" + answer.problem() + ")";
    }
    return answer.problem();
  }

  private void printErrors(JsonNode problem) {
    problem
        .path("errors")
        .forEach(
            e ->
                out.println(
                    "      " + e.path("field").asText() + ": " + e.path("message").asText()));
  }

  private static String label(WorkspaceDocument.Section section) {
    return section.name() + " (" + section.service() + ")";
  }

  private static String sectionNames() {
    return String.join(
        ", ", WorkspaceDocument.SECTIONS.stream().map(WorkspaceDocument.Section::name).toList());
  }

  /**
   * The local-stack settings of {@code doc} that differ from what the running stack started with
   * ({@code principals}, each pool's executor {@code slots}): they take effect only at {@code up}.
   */
  static List<String> localDifferences(WorkspaceDocument doc, JsonNode running) {
    List<String> differ = new ArrayList<>();
    if (!(running instanceof com.fasterxml.jackson.databind.node.ObjectNode object)) {
      return differ;
    }
    WorkspaceDocument started = new WorkspaceDocument(doc.file(), object);
    if (doc.doc().has("principals") && !doc.seed().equals(started.seed())) {
      differ.add("principals");
    }
    Map<String, Integer> slots = doc.slots();
    if (!slots.isEmpty() && !slots.equals(started.slots())) {
      differ.add("slots of the pools' local executors");
    }
    return differ;
  }
}
