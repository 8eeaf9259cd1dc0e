package dev.conductor.audit.ledger;

import java.time.Instant;

/** An observed event placed on its chain: the row the ledger appended. */
public record Recorded(
    Observed observed, int chain, long seq, String prevHash, String hash, Instant recordedAt) {}
