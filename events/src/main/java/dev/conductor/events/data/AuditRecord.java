package dev.conductor.events.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One ledger entry as analysts read it, secrets redacted. */
public record AuditRecord(
    int chain,
    long seq,
    String prevHash,
    String hash,
    String topic,
    String eventId,
    String eventSource,
    String eventType,
    String subject,
    String causationId,
    String traceparent,
    Instant recordedAt,
    JsonNode event) {}
