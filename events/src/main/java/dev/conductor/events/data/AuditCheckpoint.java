package dev.conductor.events.data;

import java.time.Instant;

/** A signed head of one audit chain. */
public record AuditCheckpoint(int chain, long seq, String hash, Instant at, String signature) {}
