package dev.conductor.trigger.retention;

import dev.conductor.platform.db.retention.SqlRetention;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * An {@code Idempotency-Key} names its run for {@code conductor.retention.idempotency-keys} (P1D,
 * as payment APIs keep theirs); a retry after that starts a new run.
 */
@Singleton
public class IdempotencyKeyRetention extends SqlRetention {
  private static final String SWEEP =
      """
      DELETE FROM idempotency_keys WHERE ctid IN
        (SELECT ctid FROM idempotency_keys WHERE created_at < $1 LIMIT $2)
      """;

  public IdempotencyKeyRetention(TriggerRetention settings) {
    super(
        "idempotency keys",
        "conductor.retention.idempotency-keys",
        Optional.of(settings.idempotencyKeys()),
        SWEEP);
  }
}
