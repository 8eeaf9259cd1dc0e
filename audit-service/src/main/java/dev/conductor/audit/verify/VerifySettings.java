package dev.conductor.audit.verify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the ledger is walked ({@code conductor.audit.verify.*}). */
@ConfigMapping(prefix = "conductor.audit.verify")
public interface VerifySettings {
  /** Ledger rows read per round trip: the walk holds this many in memory, not the ledger. */
  @WithDefault("500")
  int fetchSize();
}
