package dev.conductor.audit.verify;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The first record (in chain, seq order) where the ledger stops being provably intact. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BadRecord(int chain, long seq, String eventId, String reason) {}
