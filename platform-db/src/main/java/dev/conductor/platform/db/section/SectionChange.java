package dev.conductor.platform.db.section;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.config.ConfigChange;
import java.util.List;
import java.util.Map;

/**
 * A change of a section as its hooks see it: the stored items, the desired ones and the diff
 * between them. {@code caller} is null for a change the service makes itself (the first start);
 * {@code document} is the body as sent, for checks that need to say where a value came from, and
 * {@code traceparent} the request's trace, for events the store appends itself.
 */
public record SectionChange(
    String workspace,
    Caller caller,
    String who,
    String traceparent,
    JsonNode document,
    Map<String, JsonNode> current,
    Map<String, JsonNode> desired,
    List<ConfigChange> changes) {
  public SectionChange {
    changes = List.copyOf(changes);
  }
}
