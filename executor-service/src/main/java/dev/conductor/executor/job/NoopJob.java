package dev.conductor.executor.job;

import jakarta.enterprise.context.ApplicationScoped;

/** Succeeds at once; for wiring checks and pipelines whose steps are placeholders. */
@ApplicationScoped
public class NoopJob implements Job {
  @Override
  public String type() {
    return "noop";
  }

  @Override
  public String run(JobContext context) {
    return "nothing to do";
  }
}
