package dev.conductor.platform.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * JSONB columns through the reactive client, for every service: values go in as Vert.x JSON (a
 * plain String would be stored as a JSON string) and come out bound with the events' own mapper.
 */
public final class Json {
  private Json() {}

  /** A JSONB parameter for an object-shaped value, or null. */
  public static Object param(Object value) {
    if (value == null) {
      return null;
    }
    String json = new String(EventCodec.toJsonBytes(value), StandardCharsets.UTF_8);
    return json.startsWith("[") ? new JsonArray(json) : new JsonObject(json);
  }

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

  /** A value as JSON text, for a {@code text[]} parameter cast to JSONB in SQL; null stays null. */
  public static String text(Object value) {
    return value == null ? null : new String(EventCodec.toJsonBytes(value), StandardCharsets.UTF_8);
  }

  /** Binds a JSONB column value (as the client returns it) to {@code type}; null stays null. */
  public static <T> T read(Object column, Class<T> type) {
    if (column == null) {
      return null;
    }
    try {
      return EventCodec.JSON.readValue(encode(column), type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON does not bind to " + type.getSimpleName(), e);
    }
  }

  public static <T> T read(Object column, TypeReference<T> type) {
    if (column == null) {
      return null;
    }
    try {
      return EventCodec.JSON.readValue(encode(column), type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON does not bind", e);
    }
  }

  private static String encode(Object column) {
    if (column instanceof JsonObject o) {
      return o.encode();
    }
    if (column instanceof JsonArray a) {
      return a.encode();
    }
    return String.valueOf(column);
  }
}
