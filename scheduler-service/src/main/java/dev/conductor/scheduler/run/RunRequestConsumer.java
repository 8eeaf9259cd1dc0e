package dev.conductor.scheduler.run;

import dev.conductor.events.EventType;
import dev.conductor.events.data.RunRequested;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.EventConsumer;
import dev.conductor.scheduler.dispatch.Cause;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Takes requested runs off {@code conductor.runs}. */
@ApplicationScoped
public class RunRequestConsumer {
  private final EventConsumer consumer;
  private final RunIntake intake;

  public RunRequestConsumer(EventConsumer consumer, RunIntake intake) {
    this.consumer = consumer;
    this.intake = intake;
  }

  /**
   * {@code conductor.runs}: {@code run.requested} becomes a queued (or rejected) run; every other
   * type there is the scheduler's own output and is skipped; a duplicate (same event, or same run
   * id) has no effect.
   */
  @Incoming("runs")
  public Uni<Void> onRun(Message<byte[]> message) {
    return consumer.inTransaction(message, this::apply);
  }

  Uni<Void> apply(SqlConnection tx, Consumed consumed) {
    if (consumed.event().type() != EventType.RUN_REQUESTED) {
      return Uni.createFrom().voidItem();
    }
    return intake.accept(tx, consumed.data(RunRequested.class), Cause.of(consumed));
  }
}
