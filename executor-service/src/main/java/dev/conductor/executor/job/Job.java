package dev.conductor.executor.job;

import dev.conductor.events.JobType;

/**
 * One job type. A job runs on its attempt's own thread, may block, must stop when interrupted
 * (cancel, deadline, shutdown), and returns a short summary of what it did.
 */
public interface Job {
  /** The catalogue entry this job implements: the {@code jobType} it runs, e.g. {@code sleep}. */
  JobType type();

  /**
   * Runs the job.
   *
   * @throws JobFailure when the job failed in an expected way (its message is the error)
   * @throws InterruptedException when the attempt was stopped
   */
  String run(JobContext context) throws Exception;
}
