package dev.conductor.audit.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.conductor.events.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Removes secrets from an event before it is hashed, stored or published: the ledger is append-only
 * and copied to analysts, so a secret recorded once could never be taken back.
 */
public final class Redaction {
  public static final String REDACTED = "[redacted]";

  // Field names that hold a secret wherever they appear ("accessToken", "x-api-key", ...).
  private static final List<String> SECRET_NAMES =
      List.of("token", "secret", "password", "authorization", "cookie", "api-key", "apikey");

  private Redaction() {}

  /** Redacts the {@code data} of a structured CloudEvent tree in place. */
  public static void apply(ObjectNode event) {
    JsonNode data = event.get("data");
    if (!(data instanceof ObjectNode object)) {
      return;
    }
    // The credential bundle is a JWE to a pool's key: encrypted, but not for analysts' eyes.
    if (EventType.JOB_AUTHORIZED.type().equals(event.path("type").asText())) {
      redactIfPresent(object, "credentials");
    }
    redactSecrets(object);
  }

  static boolean isSecretName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return SECRET_NAMES.stream().anyMatch(lower::contains);
  }

  private static void redactSecrets(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        names.add(field.getKey());
      }
      for (String name : names) {
        if (isSecretName(name)) {
          redactIfPresent(object, name);
        } else {
          redactSecrets(object.get(name));
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(Redaction::redactSecrets);
    }
  }

  private static void redactIfPresent(ObjectNode object, String name) {
    JsonNode value = object.get(name);
    if (value != null && !value.isNull()) {
      object.set(name, TextNode.valueOf(REDACTED));
    }
  }
}
