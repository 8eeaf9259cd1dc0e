package dev.conductor.executor.job;

/** The job would have run past its attempt's deadline. */
public class DeadlineExceeded extends Exception {
  public DeadlineExceeded() {
    super("deadline exceeded");
  }
}
