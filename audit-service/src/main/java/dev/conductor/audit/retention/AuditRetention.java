package dev.conductor.audit.retention;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;
import java.util.Optional;

/** How long the audit ledger keeps records ({@code conductor.retention.*}). */
@ConfigMapping(prefix = "conductor.retention")
public interface AuditRetention {
  /** Unset (the default), every record is kept. */
  Optional<Duration> ledger();
}
