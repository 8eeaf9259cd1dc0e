package dev.conductor.platform.db.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the outbox relay publishes ({@code conductor.outbox.*}). */
@ConfigMapping(prefix = "conductor.outbox")
public interface OutboxSettings {
  /** Rows published per pass. */
  @WithDefault("500")
  int batchSize();

  /** How often the relay looks for rows nobody published after their commit. */
  @WithDefault("500ms")
  Duration poll();

  /**
   * How old a row must be before the relay publishes it itself: younger ones are still being
   * published by the instance that committed them.
   */
  @WithDefault("5s")
  Duration grace();
}
