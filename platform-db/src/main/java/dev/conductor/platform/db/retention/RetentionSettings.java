package dev.conductor.platform.db.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How the retention sweeper runs and how long the platform's own tables keep rows ({@code
 * conductor.retention.*}). A service's own rules add their periods under the same prefix, each in
 * its service's settings.
 */
@ConfigMapping(prefix = "conductor.retention")
public interface RetentionSettings {
  /** How often every rule is swept. */
  @WithDefault("PT1M")
  Duration sweepEvery();

  /** Rows deleted per transaction. */
  @WithDefault("1000")
  int batch();

  /** Batches per rule and pass: a larger backlog is worked off over several passes. */
  @WithDefault("100")
  int maxBatches();

  /**
   * How long applied events stay in the inbox: at least as long as the topics keep records, or a
   * redelivery older than the inbox would be applied again.
   */
  @WithDefault("P7D")
  Duration inbox();

  /** How long parked outbox rows (events that can never be published) stay after parking. */
  @WithDefault("P30D")
  Duration parkedOutbox();
}
