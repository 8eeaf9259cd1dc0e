package dev.conductor.executor.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The job types this executor runs, by {@code jobType}; a new type is one more {@link Job} bean.
 */
@ApplicationScoped
public class Jobs {
  private final Map<String, Job> byType = new HashMap<>();

  @Inject
  public Jobs(Instance<Job> jobs) {
    this((Iterable<Job>) jobs);
  }

  /** A fixed set of job types, outside CDI. */
  public static Jobs of(Job... jobs) {
    return new Jobs(java.util.List.of(jobs));
  }

  private Jobs(Iterable<Job> jobs) {
    for (Job job : jobs) {
      if (byType.put(job.type(), job) != null) {
        throw new IllegalStateException("two jobs of type " + job.type());
      }
    }
  }

  public Optional<Job> of(String type) {
    return Optional.ofNullable(type == null ? null : byType.get(type));
  }
}
