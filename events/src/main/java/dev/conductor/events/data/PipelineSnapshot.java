package dev.conductor.events.data;

import java.util.List;
import java.util.Map;

/** The pipeline version a run executes, frozen at request time. */
public record PipelineSnapshot(
    String workspace,
    String pipeline,
    int version,
    List<StepSpec> steps,
    String runAs,
    List<String> environments,
    Map<String, String> tags) {}
