package dev.conductor.broker.support;

import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaTestResource;
import java.util.List;

/** The topics the broker writes, and a probe of them (the test kit's, from the beginning). */
public final class BrokerOutputs {
  public static final List<String> TOPICS =
      List.of(
          Topics.DECISIONS,
          Topics.JOB_EVENTS,
          Topics.jobs("dev"),
          Topics.jobs("test"),
          Topics.jobs("prod"),
          Topics.dlq(Principals.IDENTITY_BROKER),
          Topics.changes(Principals.IDENTITY_BROKER));

  private BrokerOutputs() {}

  /** A probe of {@link #TOPICS}; the test class closes it. */
  public static KafkaProbe probe() {
    return KafkaProbe.watching(KafkaTestResource.admin(), TOPICS);
  }
}
