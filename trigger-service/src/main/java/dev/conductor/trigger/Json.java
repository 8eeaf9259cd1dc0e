package dev.conductor.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import io.vertx.core.json.JsonObject;

/** Moves JSON between Jackson trees (the service's model) and PostgreSQL JSONB columns. */
public final class Json {
  private Json() {}

  /** A JSON object as a JSONB parameter. */
  public static JsonObject jsonb(JsonNode object) {
    if (!object.isObject()) {
      throw new IllegalArgumentException("JSONB columns here hold objects");
    }
    return new JsonObject(object.toString());
  }

  /** A JSONB column read as {@code column::text}. */
  public static JsonNode tree(String text) {
    try {
      return EventCodec.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable stored JSON", e);
    }
  }
}
