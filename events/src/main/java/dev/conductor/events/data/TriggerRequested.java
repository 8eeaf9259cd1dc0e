package dev.conductor.events.data;

import java.util.Map;

/** Upstream asks for a run on conductor.triggers; the token travels in the authorization header. */
public record TriggerRequested(
    String workspace,
    String pipeline,
    String environment,
    Map<String, Object> parameters,
    String idempotencyKey) {}
