package dev.conductor.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The JSON Schema of every event type's data, loaded once from the class path. */
public final class Schemas {
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  // Draft 2020-12 treats "format" as a note unless asked; contracts mean it (date-time).
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
  private static final Map<EventType, JsonSchema> BY_TYPE = new EnumMap<>(EventType.class);

  static {
    for (EventType type : EventType.values()) {
      try (InputStream in = Schemas.class.getResourceAsStream(type.schemaResource())) {
        if (in == null) {
          throw new IllegalStateException("missing schema " + type.schemaResource());
        }
        BY_TYPE.put(type, FACTORY.getSchema(EventCodec.JSON.readTree(in), CONFIG));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private Schemas() {}

  /** The violations of {@code data} against the schema of {@code type}; empty when valid. */
  public static List<String> violations(EventType type, JsonNode data) {
    Set<ValidationMessage> messages = BY_TYPE.get(type).validate(data);
    return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
  }

  /** The violations of an envelope's data. */
  public static List<String> violations(Envelope<?> envelope) {
    return violations(envelope.type(), EventCodec.toTree(envelope.data()));
  }
}
