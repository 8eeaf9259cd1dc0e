package dev.conductor.scheduler.attempt;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How far this instance has read the executors' {@code conductor.attempts.<pool>}: the time up to
 * which the executors' reports (started, heartbeats, outcomes) have been applied. A lease is judged
 * against it, not against the clock: when the consumer is behind (a burst, a slow database), the
 * heartbeat that renews a lease may be waiting unread, and declaring the attempt lost would fail a
 * run that is fine. Each poll notes its newest record's timestamp; after it, the horizon moves on
 * with the clock (an idle topic has nothing unread), so a consumer that caught up judges by the
 * clock again.
 *
 * <p>Per instance: with several scheduler instances, each one's sweeper judges every lease by its
 * own consumer's progress. The lag is measured on the wall clock (record timestamps are wall-clock
 * times), and subtracted from the injected clock, which leases are written with.
 */
@ApplicationScoped
public class ReadHorizon {
  private record Mark(long lagMillis, long atMillis) {}

  private final Clock clock;
  private final AtomicReference<Mark> last = new AtomicReference<>(new Mark(0, 0));

  public ReadHorizon(Clock clock) {
    this.clock = clock;
  }

  /** A poll was applied whose newest record was written at {@code newestRecordMillis}. */
  public void read(long newestRecordMillis) {
    long now = System.currentTimeMillis();
    last.set(new Mark(Math.max(0, now - newestRecordMillis), now));
  }

  /** Reports written before this instant have been read (or were never written). */
  public Instant horizon() {
    Mark mark = last.get();
    long since = Math.max(0, System.currentTimeMillis() - mark.atMillis());
    return clock.instant().minusMillis(Math.max(0, mark.lagMillis() - since));
  }
}
