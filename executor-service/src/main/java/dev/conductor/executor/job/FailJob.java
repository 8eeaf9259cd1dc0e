package dev.conductor.executor.job;

import jakarta.enterprise.context.ApplicationScoped;

/** Fails with {@code spec.message}; for testing retries and failure handling. */
@ApplicationScoped
public class FailJob implements Job {
  @Override
  public String type() {
    return "fail";
  }

  @Override
  public String run(JobContext context) throws JobFailure {
    throw new JobFailure(context.specText("message", "requested failure"));
  }
}
