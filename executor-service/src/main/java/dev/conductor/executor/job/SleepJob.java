package dev.conductor.executor.job;

import dev.conductor.events.JobType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Waits {@code spec.millis} (default 100), never past the deadline. */
@ApplicationScoped
public class SleepJob implements Job {
  private static final long DEFAULT_MILLIS = 100;

  @Override
  public JobType type() {
    return JobType.SLEEP;
  }

  @Override
  public String run(JobContext context) throws Exception {
    long millis = context.specLong("millis", DEFAULT_MILLIS);
    if (millis < 0) {
      throw new JobFailure("spec.millis must not be negative");
    }
    context.sleep(Duration.ofMillis(millis));
    return "slept " + millis + " ms";
  }
}
