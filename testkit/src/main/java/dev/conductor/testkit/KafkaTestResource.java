package dev.conductor.testkit;

import dev.conductor.embedded.EmbeddedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The JVM-wide shared Kafka for {@code @QuarkusTest}s: {@code
 * &#64;WithTestResource(KafkaTestResource.class)}. Config: {@code kafka.bootstrap.servers}.
 *
 * <p>Init arg {@code pools} (comma-separated) adds the topics of further pools to the shared
 * broker.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
  private List<String> extraPools = List.of();

  @Override
  public void init(Map<String, String> initArgs) {
    String pools = initArgs.get("pools");
    if (pools != null && !pools.isBlank()) {
      extraPools = Arrays.stream(pools.split(",")).map(String::trim).toList();
    }
  }

  @Override
  public Map<String, String> start() {
    String bootstrap = Shared.kafka();
    if (!extraPools.isEmpty()) {
      EmbeddedKafka.createTopics(bootstrap, extraPools);
    }
    return Map.of("kafka.bootstrap.servers", bootstrap);
  }

  /** The broker outlives this test class: later ones reuse it; a shutdown hook stops it. */
  @Override
  public void stop() {}

  /** Bootstrap servers of the shared broker, starting it if needed (for plain JUnit tests). */
  public static String bootstrapServers() {
    return Shared.kafka();
  }
}
