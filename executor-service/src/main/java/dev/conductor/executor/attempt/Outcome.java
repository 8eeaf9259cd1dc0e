package dev.conductor.executor.attempt;

/** How an attempt ended on this executor; {@code text} is the output or the error. */
record Outcome(Kind kind, String text) {
  static final int MAX_TEXT = 1_000;

  enum Kind {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED,
    /** Stopped by a shutdown: nothing is reported, the lease expires and the scheduler retries. */
    ABANDONED
  }

  Outcome {
    if (text != null && text.length() > MAX_TEXT) {
      text = text.substring(0, MAX_TEXT - 1) + "…";
    }
  }

  static Outcome succeeded(String output) {
    return new Outcome(Kind.SUCCEEDED, output);
  }

  static Outcome failed(String error) {
    return new Outcome(Kind.FAILED, error);
  }

  static Outcome of(Kind kind) {
    return new Outcome(kind, null);
  }
}
