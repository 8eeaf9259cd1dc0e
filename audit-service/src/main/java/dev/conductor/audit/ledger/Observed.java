package dev.conductor.audit.ledger;

import java.time.Instant;

/**
 * One consumed Kafka record as the ledger will record it: where it came from, the attributes the
 * REST queries need, and {@code event}, the canonical text of its redacted structured CloudEvent.
 * {@code key} is the Kafka key (falling back to the event's subject, then its id, when the record
 * had none); it picks the chain and keys the published audit.record.
 */
public record Observed(
    String topic,
    int partition,
    long offset,
    String key,
    String type,
    String source,
    String id,
    String subject,
    String causationId,
    Instant time,
    String traceparent,
    String step,
    String event) {}
