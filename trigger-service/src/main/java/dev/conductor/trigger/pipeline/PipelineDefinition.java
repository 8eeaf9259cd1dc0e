package dev.conductor.trigger.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.events.data.PipelineSnapshot;
import dev.conductor.events.data.StepSpec;
import java.util.List;
import java.util.Map;

/**
 * A validated pipeline definition with every default filled in, so two definitions that mean the
 * same thing compare equal (an unchanged PUT makes no new version). {@code parameters} is the JSON
 * Schema (draft 2020-12) that run parameters must satisfy.
 */
public record PipelineDefinition(
    String description,
    String runAs,
    List<String> environments,
    Map<String, String> tags,
    JsonNode parameters,
    List<StepSpec> steps) {

  public JsonNode toJson() {
    return EventCodec.JSON.valueToTree(this);
  }

  public static PipelineDefinition fromJson(JsonNode json) {
    try {
      return EventCodec.JSON.treeToValue(json, PipelineDefinition.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored pipeline definition does not bind", e);
    }
  }

  /** The frozen copy of this version that a run carries. */
  public PipelineSnapshot snapshot(String workspace, String pipeline, int version) {
    return new PipelineSnapshot(workspace, pipeline, version, steps, runAs, environments, tags);
  }
}
