package dev.conductor.executor.scheduler;

/** The scheduler could not be asked or gave an unexpected answer; worth retrying. */
public class SchedulerUnavailable extends RuntimeException {
  public SchedulerUnavailable(String message) {
    super(message);
  }
}
