package dev.conductor.executor.job;

/** A job failed; the message is the attempt's error. */
public class JobFailure extends Exception {
  public JobFailure(String message) {
    super(message);
  }
}
