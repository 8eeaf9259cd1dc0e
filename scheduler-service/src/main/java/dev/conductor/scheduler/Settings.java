package dev.conductor.scheduler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

/** The scheduler's configuration ({@code conductor.scheduler.*}). */
@ConfigMapping(prefix = "conductor.scheduler")
public interface Settings {
  /**
   * The pools (= environments) runs may ask for: the content of section {@code pools} on the first
   * start only; afterwards the stored section is in force.
   */
  @WithDefault("dev,test,prod")
  List<String> pools();

  /**
   * Resource classes and their cost in slots, as {@code name:slots}: the content of section {@code
   * resourceClasses} on the first start only.
   */
  @WithDefault("smallrc:1,mediumrc:2,largerc:4,xlargerc:8")
  List<String> resourceClasses();

  /** How long an executor registration counts as capacity without renewal. */
  @WithDefault("30")
  int executorLeaseSeconds();

  /** How long a claimed attempt lives without a heartbeat before it is declared lost. */
  @WithDefault("30")
  int attemptLeaseSeconds();

  /** The deadline of a step that declares no timeout. */
  @WithDefault("3600")
  int defaultTimeoutSeconds();

  /** How often the sweeper re-dispatches waiting attempts and expires leases. */
  @WithDefault("1000")
  long sweepIntervalMillis();

  /** How often the stored config section versions are compared with the ones held in memory. */
  @WithDefault("2000")
  long configPollMillis();
}
