package dev.conductor.executor.job;

import dev.conductor.events.JobType;
import jakarta.enterprise.context.ApplicationScoped;

/** Succeeds at once; for wiring checks and pipelines whose steps are placeholders. */
@ApplicationScoped
public class NoopJob implements Job {
  @Override
  public JobType type() {
    return JobType.NOOP;
  }

  @Override
  public String run(JobContext context) {
    return "nothing to do";
  }
}
