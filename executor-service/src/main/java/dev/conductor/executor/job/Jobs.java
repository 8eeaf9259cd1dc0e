package dev.conductor.executor.job;

import dev.conductor.events.JobType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The jobs this executor runs, by {@code jobType}: exactly one {@link Job} bean per entry of the
 * catalogue ({@link JobType}), checked at start, so a type the pipeline validator accepts is never
 * one the executor cannot run.
 */
@ApplicationScoped
public class Jobs {
  private final Map<String, Job> byType = new HashMap<>();

  @Inject
  public Jobs(Instance<Job> jobs) {
    this((Iterable<Job>) jobs);
    Set<String> missing = new TreeSet<>(JobType.ids());
    missing.removeAll(byType.keySet());
    if (!missing.isEmpty()) {
      throw new IllegalStateException("no job implements the catalogue's job types " + missing);
    }
  }

  /** A fixed set of job types, outside CDI. */
  public static Jobs of(Job... jobs) {
    return new Jobs(java.util.List.of(jobs));
  }

  private Jobs(Iterable<Job> jobs) {
    for (Job job : jobs) {
      if (byType.put(job.type().id(), job) != null) {
        throw new IllegalStateException("two jobs of type " + job.type());
      }
    }
  }

  public Optional<Job> of(String type) {
    return Optional.ofNullable(type == null ? null : byType.get(type));
  }
}
