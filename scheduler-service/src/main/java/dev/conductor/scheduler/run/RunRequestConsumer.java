package dev.conductor.scheduler.run;

import dev.conductor.events.EventType;
import dev.conductor.events.data.RunRequested;
import dev.conductor.platform.db.inbox.InboxConsumer;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.PollHandler;
import dev.conductor.scheduler.dispatch.AtCommit;
import dev.conductor.scheduler.dispatch.Dispatcher;
import dev.conductor.scheduler.slot.SlotLedger;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Takes requested runs off {@code conductor.run-requests}. */
@ApplicationScoped
public class RunRequestConsumer {
  private final InboxConsumer consumer;
  private final RunIntake intake;

  private static final Set<EventType> HANDLED = Set.of(EventType.RUN_REQUESTED);

  private final Dispatcher dispatcher;
  private final SlotLedger ledger;

  public RunRequestConsumer(
      InboxConsumer consumer, RunIntake intake, Dispatcher dispatcher, SlotLedger ledger) {
    this.consumer = consumer;
    this.intake = intake;
    this.dispatcher = dispatcher;
    this.ledger = ledger;
  }

  /**
   * {@code conductor.run-requests}: {@code run.requested} becomes a queued (or rejected) run; every
   * other type there is the scheduler's own output and is skipped; a duplicate (same event, or same
   * run id) has no effect.
   */
  @Incoming("runs")
  public Uni<Void> onRuns(KafkaRecordBatch<String, byte[]> batch) {
    return consumer.inPollTransaction(
        batch, HANDLED, tx -> pollHandler(tx, AtCommit.forPoll(dispatcher, ledger)));
  }

  /** The poll's requests go to {@link RunIntake#acceptAll} together; drains run at the commit. */
  private PollHandler pollHandler(SqlConnection tx, AtCommit end) {
    return PollHandler.together(
        firstSeen -> {
          List<RunIntake.Request> requests = new ArrayList<>();
          for (Consumed consumed : firstSeen) {
            if (consumed.event().type() == EventType.RUN_REQUESTED) {
              requests.add(
                  new RunIntake.Request(consumed.data(RunRequested.class), end.causeOf(consumed)));
            }
          }
          return requests.isEmpty() ? Uni.createFrom().voidItem() : intake.acceptAll(tx, requests);
        },
        () -> end.beforeCommit(tx));
  }
}
