package dev.conductor.broker.retention;

import dev.conductor.platform.db.retention.SqlRetention;
import jakarta.inject.Singleton;
import java.util.Optional;

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

  public LeaseRetention(BrokerRetention settings) {
    super("leases", "conductor.retention.leases", Optional.of(settings.leases()), SWEEP);
  }
}
