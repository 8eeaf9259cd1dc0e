package dev.conductor.audit.timeline;

import java.util.List;

/** A run's ledger records in causal order. */
public record Timeline(String runId, List<TimelineRecord> records) {}
