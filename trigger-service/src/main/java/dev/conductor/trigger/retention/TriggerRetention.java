package dev.conductor.trigger.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long the trigger service keeps its own rows ({@code conductor.retention.*}). */
@ConfigMapping(prefix = "conductor.retention")
public interface TriggerRetention {
  /** How long an {@code Idempotency-Key} names its run (as payment APIs keep theirs). */
  @WithDefault("P1D")
  Duration idempotencyKeys();
}
