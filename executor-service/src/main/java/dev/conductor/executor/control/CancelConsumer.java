package dev.conductor.executor.control;

import dev.conductor.events.EventType;
import dev.conductor.events.data.AttemptCancelRequested;
import dev.conductor.executor.attempt.Attempts;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.EventConsumer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** Cancels attempts this executor runs. */
@ApplicationScoped
public class CancelConsumer {
  private static final Logger LOG = Logger.getLogger(CancelConsumer.class);

  private final EventConsumer consumer;
  private final Attempts attempts;

  public CancelConsumer(EventConsumer consumer, Attempts attempts) {
    this.consumer = consumer;
    this.attempts = attempts;
  }

  /**
   * {@code conductor.control.<pool>}: {@code attempt.cancel-requested} interrupts the attempt if it
   * runs here (it then emits {@code attempt.cancelled}); a duplicate, or a cancel for an attempt
   * that is not running here, is ignored.
   */
  @Incoming("control")
  public Uni<Void> onControl(Message<byte[]> message) {
    return consumer.process(message, this::apply);
  }

  Uni<Void> apply(Consumed consumed) {
    if (consumed.event().type() == EventType.ATTEMPT_CANCEL_REQUESTED) {
      AttemptCancelRequested cancel = consumed.data(AttemptCancelRequested.class);
      if (cancel.attemptId() != null && attempts.cancel(cancel.attemptId())) {
        LOG.infof("attempt %s: cancel requested by %s", cancel.attemptId(), cancel.by());
      }
    }
    return Uni.createFrom().voidItem();
  }
}
