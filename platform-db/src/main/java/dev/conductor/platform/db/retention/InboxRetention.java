package dev.conductor.platform.db.retention;

import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Inbox rows (events already applied) are kept {@code conductor.retention.inbox} (P7D): Kafka keeps
 * records 7 days by default, and a redelivery older than the inbox would be applied again, so keep
 * this at least as long as the topics' retention.
 */
@Singleton
public class InboxRetention extends SqlRetention {
  private static final String SWEEP =
      """
      DELETE FROM inbox WHERE ctid IN
        (SELECT ctid FROM inbox WHERE received_at < $1 LIMIT $2)
      """;

  public InboxRetention(RetentionSettings settings) {
    super("inbox rows", "conductor.retention.inbox", Optional.of(settings.inbox()), SWEEP);
  }
}
