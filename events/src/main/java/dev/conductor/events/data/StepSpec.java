package dev.conductor.events.data;

import java.util.List;
import java.util.Map;

/** One step of a pipeline as snapshotted into a run. */
public record StepSpec(
    String name,
    List<String> dependsOn,
    String jobType,
    Map<String, Object> spec,
    String resourceClass,
    int timeoutSeconds,
    int maxRetries,
    List<DataAccess> dataAccess) {}
