package dev.conductor.broker.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long the broker keeps its own rows ({@code conductor.retention.*}). */
@ConfigMapping(prefix = "conductor.retention")
public interface BrokerRetention {
  /** How long a decision stays readable at {@code GET /api/v1/decisions/{id}}. */
  @WithDefault("P90D")
  Duration decisions();

  /** How long a lease row stays after its credential expired. */
  @WithDefault("P7D")
  Duration leases();
}
