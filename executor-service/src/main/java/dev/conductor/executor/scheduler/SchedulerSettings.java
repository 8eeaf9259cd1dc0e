package dev.conductor.executor.scheduler;

import io.smallrye.config.ConfigMapping;

/** Where the scheduler is ({@code conductor.scheduler.*}). */
@ConfigMapping(prefix = "conductor.scheduler")
public interface SchedulerSettings {
  /** The scheduler's base URL: claims, heartbeats and registrations go there. */
  String url();
}
