package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The JSON pointers where a desired document differs from the current one. A field the desired
 * document leaves out is compared only if the current value is not a default (null, empty, 0,
 * false, {@code smallrc}): the service fills defaults in, and leaving one out means "the default".
 */
final class JsonDiff {
  private JsonDiff() {}

  static List<String> paths(JsonNode desired, JsonNode current) {
    List<String> out = new ArrayList<>();
    diff("", desired, current, out);
    return out;
  }

  private static void diff(String path, JsonNode desired, JsonNode current, List<String> out) {
    if (desired == null || desired.isMissingNode()) {
      if (!isDefault(current)) {
        out.add(pointer(path) + " (would be reset to its default)");
      }
      return;
    }
    if (current == null || current.isMissingNode()) {
      out.add(pointer(path) + " (added)");
      return;
    }
    if (desired.isObject() && current.isObject()) {
      desired
          .fieldNames()
          .forEachRemaining(f -> diff(path + "/" + f, desired.get(f), current.path(f), out));
      for (Iterator<String> it = current.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!desired.has(f)) {
          diff(path + "/" + f, null, current.get(f), out);
        }
      }
      return;
    }
    if (desired.isArray() && current.isArray()) {
      int n = Math.max(desired.size(), current.size());
      for (int i = 0; i < n; i++) {
        if (i >= desired.size()) {
          out.add(pointer(path + "/" + i) + " (removed)");
        } else if (i >= current.size()) {
          out.add(pointer(path + "/" + i) + " (added)");
        } else {
          diff(path + "/" + i, desired.get(i), current.get(i), out);
        }
      }
      return;
    }
    boolean same =
        desired.isNumber() && current.isNumber()
            ? desired.decimalValue().compareTo(current.decimalValue()) == 0
            : desired.equals(current);
    if (!same) {
      out.add(pointer(path) + ": " + current + " -> " + desired);
    }
  }

  private static boolean isDefault(JsonNode node) {
    return node == null
        || node.isMissingNode()
        || node.isNull()
        || (node.isContainerNode() && node.isEmpty())
        || (node.isNumber() && node.asDouble() == 0)
        || (node.isBoolean() && !node.asBoolean())
        || (node.isTextual() && (node.asText().isEmpty() || node.asText().equals("smallrc")));
  }

  private static String pointer(String path) {
    return path.isEmpty() ? "/" : path;
  }
}
