package dev.conductor.platform.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;

/**
 * What every Kafka client of this service needs to reach the bus: the bootstrap servers and how it
 * authenticates ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}), taken from the same
 * {@code kafka.*} settings the SmallRye channels use, so the producer, the admin clients and the
 * policy watch log in as this service's principal exactly as its consumers do.
 */
@ApplicationScoped
public class KafkaClients {
  private final Map<String, Object> common;

  @Inject
  public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
    Map<String, Object> common = new HashMap<>();
    kafka.forEach(
        (key, value) -> {
          if (key.equals("bootstrap.servers")
              || key.startsWith("security.")
              || key.startsWith("sasl.")
              || key.startsWith("ssl.")) {
            common.put(key, value);
          }
        });
    this.common = Map.copyOf(common);
  }

  /** The common settings plus {@code keysAndValues} (key, value, key, value, ...). */
  public Map<String, Object> with(Object... keysAndValues) {
    Map<String, Object> config = new HashMap<>(common);
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      config.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return config;
  }

  /** The common settings alone. */
  public Map<String, Object> common() {
    return common;
  }
}
