package dev.conductor.embedded;

/** What {@link KafkaMain} and {@link PostgresMain} share as processes of a launcher. */
final class Mains {
  private Mains() {}

  /**
   * Exits when the launcher that started this process is gone. A launcher killed with SIGKILL
   * cannot stop its children; without this an orphaned broker or database would hold its port and
   * data directory until someone finds it.
   */
  static void exitWithParent() {
    ProcessHandle.current()
        .parent()
        .ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().exit(0)));
  }

  /**
   * Reports a start that failed as one line, {@code <WHAT> FAILED <cause and fix>}, which the
   * launcher shows the user in place of a stack trace (the trace follows for the log), then exits.
   */
  static void failed(String what, RuntimeException e) {
    String cause = e.getMessage() == null ? e.toString() : e.getMessage();
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    // "embedded PostgreSQL did not start" alone names no cause: add the innermost one.
    if (root != e && !cause.contains(String.valueOf(root.getMessage()))) {
      cause += ": " + root;
    }
    System.out.println(what + " FAILED " + cause.replace('\n', ' '));
    System.out.flush();
    e.printStackTrace();
    System.exit(1);
  }
}
