package dev.conductor.scheduler.support;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import org.awaitility.Awaitility;

/** Waits on the scheduler's outbox: what it committed for a run has reached Kafka. */
public final class Outboxes {
  private Outboxes() {}

  /**
   * Once the scheduler has processed its inputs (see {@link Events#barrier}), waits until the
   * outbox holds nothing more for the run and the collector has read the topic to its end: from
   * then on the run's event counts are final.
   */
  public static void awaitPublished(Pool db, String runId) {
    Awaitility.await()
        .atMost(Events.WAIT)
        .until(
            () ->
                db.preparedQuery("SELECT count(*) AS n FROM outbox WHERE record_key = $1")
                        .execute(Tuple.of(runId))
                        .map(rows -> rows.iterator().next().getLong("n"))
                        .await()
                        .atMost(Duration.ofSeconds(5))
                    == 0);
    Events.caughtUp();
  }
}
