package dev.conductor.platform.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The shared producer's tuning ({@code conductor.kafka.*}). */
@ConfigMapping(prefix = "conductor.kafka")
public interface KafkaSettings {
  /**
   * How long the producer waits to fill a batch: the records of many transactions then share one
   * produce request, for a few milliseconds of latency.
   */
  @WithDefault("5ms")
  Duration linger();
}
