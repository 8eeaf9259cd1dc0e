package dev.conductor.executor.job;

import dev.conductor.events.JobType;
import jakarta.enterprise.context.ApplicationScoped;

/** Fails with {@code spec.message}; for testing retries and failure handling. */
@ApplicationScoped
public class FailJob implements Job {
  @Override
  public JobType type() {
    return JobType.FAIL;
  }

  @Override
  public String run(JobContext context) throws JobFailure {
    throw new JobFailure(context.specText("message", "requested failure"));
  }
}
