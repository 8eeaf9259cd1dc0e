package dev.conductor.trigger.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.config.ConfigDiff;
import io.smallrye.mutiny.Uni;

/**
 * A workspace configuration section this service owns (DESIGN §7), served at {@code
 * /api/v1/workspaces/{ws}/config/{name}}. The caller's permission has been checked before either
 * method runs.
 */
public interface WorkspaceSection {
  /** The section name in the path, e.g. {@code pipelines}. */
  String name();

  /** The section as a document that {@link #apply} accepts unchanged (GET → PUT is a no-op). */
  Uni<JsonNode> read(String workspace);

  /**
   * Validates the whole document (400 naming every field at fault), then, unless {@code dryRun},
   * applies it atomically; answers the diff against what was in force.
   */
  Uni<ConfigDiff> apply(
      String workspace, JsonNode document, boolean dryRun, String who, String traceparent);
}
