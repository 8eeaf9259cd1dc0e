package dev.conductor.events.data;

import java.util.Map;

/** A validated run request with the pipeline snapshot it will execute. */
public record RunRequested(
    String runId,
    String workspace,
    String pipeline,
    PipelineSnapshot snapshot,
    Map<String, Object> parameters,
    String environment,
    Requester requester,
    String trigger,
    String idempotencyKey) {}
