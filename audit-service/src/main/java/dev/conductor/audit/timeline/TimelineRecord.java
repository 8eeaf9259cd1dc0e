package dev.conductor.audit.timeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** One ledger record in a run's timeline; {@code step} is the event's data.step, if any. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TimelineRecord(
    int chain,
    long seq,
    String topic,
    String type,
    String id,
    String source,
    String causationId,
    Instant time,
    String step,
    String traceparent,
    String hash) {}
