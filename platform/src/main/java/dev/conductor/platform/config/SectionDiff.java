package dev.conductor.platform.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares two versions of a keyed configuration section ({@code name -> JSON}). Both sides must be
 * normalized by the owning service first (defaults filled in, lists in a canonical order), so that
 * only real differences show; numbers compare by value ({@code 2} equals {@code 2.0}).
 */
public final class SectionDiff {
  private SectionDiff() {}

  /** Changes from {@code current} to {@code desired}, items in name order. */
  public static List<ConfigChange> of(
      Map<String, JsonNode> current, Map<String, JsonNode> desired) {
    List<ConfigChange> changes = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(current.keySet());
    names.addAll(desired.keySet());
    for (String name : names) {
      JsonNode before = current.get(name);
      JsonNode after = desired.get(name);
      if (before == null) {
        changes.add(ConfigChange.added(name));
      } else if (after == null) {
        changes.add(ConfigChange.removed(name));
      } else {
        List<String> details = pointers(before, after);
        if (!details.isEmpty()) {
          changes.add(ConfigChange.changed(name, details));
        }
      }
    }
    return changes;
  }

  /** Each JSON pointer at which {@code after} differs from {@code before}, with both values. */
  public static List<String> pointers(JsonNode before, JsonNode after) {
    List<String> out = new ArrayList<>();
    diff("", before, after, out);
    return out;
  }

  private static void diff(String path, JsonNode before, JsonNode after, List<String> out) {
    boolean hasBefore = before != null && !before.isMissingNode();
    boolean hasAfter = after != null && !after.isMissingNode();
    if (!hasBefore || !hasAfter) {
      if (hasBefore != hasAfter) {
        out.add(
            at(path)
                + ": "
                + (hasBefore ? before : "(none)")
                + " -> "
                + (hasAfter ? after : "(none)"));
      }
      return;
    }
    if (before.isObject() && after.isObject()) {
      TreeSet<String> fields = new TreeSet<>();
      before.fieldNames().forEachRemaining(fields::add);
      after.fieldNames().forEachRemaining(fields::add);
      for (String f : fields) {
        diff(path + "/" + escape(f), before.get(f), after.get(f), out);
      }
      return;
    }
    if (before.isNumber() && after.isNumber()) {
      if (before.decimalValue().compareTo(after.decimalValue()) != 0) {
        out.add(at(path) + ": " + before + " -> " + after);
      }
      return;
    }
    if (!sameTree(before, after)) {
      out.add(at(path) + ": " + before + " -> " + after);
    }
  }

  private static boolean sameTree(JsonNode a, JsonNode b) {
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      Iterator<JsonNode> ia = a.elements();
      Iterator<JsonNode> ib = b.elements();
      while (ia.hasNext()) {
        if (!pointers(ia.next(), ib.next()).isEmpty()) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  private static String at(String path) {
    return path.isEmpty() ? "/" : path;
  }

  // RFC 6901: '~' and '/' inside a name are escaped.
  private static String escape(String field) {
    return field.replace("~", "~0").replace("/", "~1");
  }
}
