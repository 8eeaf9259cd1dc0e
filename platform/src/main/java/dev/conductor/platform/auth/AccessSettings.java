package dev.conductor.platform.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Where access is decided and how long a decision is reused ({@code conductor.access.*}). */
@ConfigMapping(prefix = "conductor.access")
public interface AccessSettings {
  /** The identity broker's base URL, for {@code POST /api/v1/access/check}. */
  String url();

  /** How long a decision is reused while the policy watch is not caught up. */
  @WithDefault("5s")
  Duration cache();

  /** The longest a decision is reused, even while the policy has not changed. */
  @WithDefault("10m")
  Duration cacheMax();

  /** How often the policy watch asks Kafka whether it has read every change. */
  @WithDefault("PT2S")
  Duration watchCheck();
}
