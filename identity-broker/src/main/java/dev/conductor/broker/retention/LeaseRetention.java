package dev.conductor.broker.retention;

import dev.conductor.platform.db.retention.SqlRetention;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Lease rows (a minted credential's fingerprint and lifetime, never the credential) are kept {@code
 * conductor.retention.leases} (P7D) after the credential expired: it no longer works, and the audit
 * ledger holds its issue and revocation.
 */
@Singleton
public class LeaseRetention extends SqlRetention {
  private static final String SWEEP =
      """
      DELETE FROM leases WHERE ctid IN
        (SELECT ctid FROM leases WHERE expires_at < $1 LIMIT $2)
      """;

  public LeaseRetention(
      @ConfigProperty(name = "conductor.retention.leases", defaultValue = "P7D")
          Duration retention) {
    super("leases", "conductor.retention.leases", Optional.of(retention), SWEEP);
  }
}
