package dev.conductor.platform.db.retention;

import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Parked outbox rows (events that can never be published; logged at ERROR when parked, for an
 * operator) are kept {@code conductor.retention.parked-outbox} (P30D) after they were parked.
 */
@Singleton
public class ParkedOutboxRetention extends SqlRetention {
  private static final String SWEEP =
      """
      DELETE FROM outbox WHERE ctid IN
        (SELECT ctid FROM outbox WHERE parked_at < $1 LIMIT $2)
      """;

  public ParkedOutboxRetention(
      @ConfigProperty(name = "conductor.retention.parked-outbox", defaultValue = "P30D")
          Duration retention) {
    super("parked outbox rows", "conductor.retention.parked-outbox", Optional.of(retention), SWEEP);
  }
}
