package dev.conductor.events.data;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Self-contained description of one attempt that holds a slot lease and awaits its decision. */
public record JobScheduled(
    String runId,
    String step,
    String attemptId,
    int attemptNumber,
    String workspace,
    String pipeline,
    int pipelineVersion,
    String jobType,
    Map<String, Object> spec,
    Map<String, Object> parameters,
    List<DataAccess> dataAccess,
    String runAs,
    Requester requester,
    String pool,
    String resourceClass,
    int slots,
    Instant slotStart,
    Instant deadline) {}
