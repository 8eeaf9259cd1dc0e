package dev.conductor.scheduler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
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
  @WithDefault("30s")
  Duration executorLease();

  /** How long a claimed attempt lives without a heartbeat before it is declared lost. */
  @WithDefault("30s")
  Duration attemptLease();

  /** The deadline of a step that declares no timeout. */
  @WithDefault("1h")
  Duration defaultTimeout();

  /**
   * How far dispatch runs ahead of capacity, as a share of it: a pool of 64 slots with 1.0 has up
   * to 64 slots' worth of attempts on their way to executors beside the 64 running. Too small and
   * executors idle while jobs travel (throughput = in flight ÷ path latency); too large and the
   * queue order decides less, as more jobs wait at executors instead of in the queue.
   */
  @WithDefault("1.0")
  double dispatchWindow();

  /**
   * How long a dispatched attempt may wait for an executor's claim before it goes back to the queue
   * (and is dispatched again): an executor that died holding it, or one busy for longer.
   */
  @WithDefault("60s")
  Duration claimWindow();

  /** How often the sweeper re-dispatches waiting attempts and expires leases. */
  @WithDefault("1s")
  Duration sweepInterval();
}
