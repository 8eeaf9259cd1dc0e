package dev.conductor.scheduler.dispatch;

import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.trace.TraceContext;

/**
 * What made the scheduler act: a consumed event (its id becomes the causation id of every event it
 * causes) or nothing recorded (REST call, sweeper). Events of the run the cause belongs to continue
 * the consumed hop's trace; events of other runs (a slot freed by run A dispatches run B) continue
 * their own run's trace, so each run keeps one trace. A cause from a poll (or the sweeper) carries
 * its transaction's {@link AtCommit}: the slots it gives back and the drains it asks for are done
 * once, just before the commit.
 */
public record Cause(String eventId, String runId, String traceparent, AtCommit atCommit) {
  public static Cause of(Consumed consumed) {
    return of(consumed, null);
  }

  /** A consumed event of a poll whose releases and drains wait for the end of its transaction. */
  public static Cause of(Consumed consumed, AtCommit atCommit) {
    return new Cause(
        consumed.event().id(), consumed.event().key(), consumed.traceparent(), atCommit);
  }

  /** No event to point at (the sweeper), releases and drains at the end of the transaction. */
  static Cause deferredTo(AtCommit atCommit) {
    return new Cause(null, null, null, atCommit);
  }

  /** A REST call or the sweeper: no event to point at. */
  public static Cause none() {
    return new Cause(null, null, null, null);
  }

  /** The same cause, acted on at once. */
  Cause now() {
    return atCommit == null ? this : new Cause(eventId, runId, traceparent, null);
  }

  /** The traceparent for an event about {@code runId}, whose run started trace {@code runTrace}. */
  public String traceFor(String runId, String runTrace) {
    if (traceparent != null && runId.equals(this.runId)) {
      return traceparent;
    }
    return TraceContext.childOf(runTrace);
  }
}
