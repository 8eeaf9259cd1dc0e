package dev.conductor.deploy.local;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the log of a process that died while starting into one line a user can act on: what went
 * wrong and what to do about it. The stack trace stays in the log; the runner shows this line first
 * and the log's last lines after it.
 */
final class Diagnosis {
  /** {@code KafkaMain} and {@code PostgresMain} say themselves why they could not start. */
  private static final Pattern SELF_REPORTED = Pattern.compile("^[A-Z]+ FAILED (.+)$");

  private Diagnosis() {}

  static String of(String name, int exitCode, List<String> log) {
    for (String line : log) {
      Matcher m = SELF_REPORTED.matcher(line);
      if (m.find()) {
        return name + " could not start: " + m.group(1);
      }
    }
    String all = String.join("\n", log);
    if (all.contains("No space left on device")) {
      return name
          + " could not start: the disk is full (No space left on device): free space in the"
          + " state directory and in java.io.tmpdir, or point them elsewhere (--state-dir DIR,"
          + " JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR)";
    }
    if (all.contains("OutOfMemoryError")) {
      return name
          + " ran out of heap memory while starting: for a service, start with a larger --heap"
          + " (default 200m); for kafka or postgres it is a bug in Conductor, please report it";
    }
    if (all.contains("Address already in use")) {
      return name
          + " could not listen: a port it needs is in use; stop whatever listens there or pick"
          + " other ports (--port-base PORT)";
    }
    if (all.contains("Permission denied") || all.contains("AccessDeniedException")) {
      return name
          + " could not start: permission denied on a file it needs (see the log); check who owns"
          + " the state directory and java.io.tmpdir";
    }
    return name + " exited with status " + exitCode + " while starting; its log says why";
  }
}
