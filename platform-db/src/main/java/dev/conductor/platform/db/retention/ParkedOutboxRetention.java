package dev.conductor.platform.db.retention;

import jakarta.inject.Singleton;
import java.util.Optional;

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

  public ParkedOutboxRetention(RetentionSettings settings) {
    super(
        "parked outbox rows",
        "conductor.retention.parked-outbox",
        Optional.of(settings.parkedOutbox()),
        SWEEP);
  }
}
