package dev.conductor.platform.db.section;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How instances follow each other's section changes ({@code conductor.config.*}). */
@ConfigMapping(prefix = "conductor.config")
public interface SectionSettings {
  /** How often the versions' stamp is compared with the one seen last. */
  @WithDefault("PT2S")
  Duration poll();
}
