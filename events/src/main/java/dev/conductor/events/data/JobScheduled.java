package dev.conductor.events.data;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Self-contained description of one dispatch of an attempt, awaiting its decision. No slot is held
 * yet: the attempt takes its slots when an executor claims it. {@code slotStart} is when it was
 * dispatched; {@code deadline} the latest it may end (claimed by the end of the claim window, then
 * run for at most its timeout), which bounds its credentials. {@code dispatch} counts the
 * dispatches of the attempt (a refused or unclaimed one is dispatched again).
 */
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
    Instant deadline,
    int dispatch) {}
