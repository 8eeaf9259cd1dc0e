package dev.conductor.scheduler.config;

import java.util.regex.Pattern;

/** Names of global items (pools, resource classes) and JSON pointers to them. */
final class Names {
  /** Short enough for topic names and scopes ({@code /pools/<name>}), safe in both. */
  static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9-]{0,30}$");

  private Names() {}

  static boolean valid(String name) {
    return NAME.matcher(name).matches();
  }

  /** The JSON pointer of a top-level member (RFC 6901 escaping). */
  static String pointer(String name) {
    return "/" + name.replace("~", "~0").replace("/", "~1");
  }
}
