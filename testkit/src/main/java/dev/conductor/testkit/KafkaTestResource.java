package dev.conductor.testkit;

import dev.conductor.embedded.Bus;
import dev.conductor.embedded.BusSecrets;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The JVM-wide shared Kafka for {@code @QuarkusTest}s: {@code
 * &#64;WithTestResource(KafkaTestResource.class)}. It sets {@code kafka.bootstrap.servers}, SASL
 * without TLS and {@code conductor.kafka.password}: the service under test logs in as its own
 * principal ({@code conductor.kafka.principal}), and the bus's ACLs apply to it as in production.
 *
 * <p>Init arg {@code pools} (comma-separated) provisions further pools on the shared broker.
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
      provision(extraPools.toArray(String[]::new));
    }
    String password = Shared.kafkaSecrets(List.of()).password(Principals.ADMIN);
    return Map.of(
        "kafka.bootstrap.servers",
        bootstrap,
        "kafka.security.protocol",
        "SASL_PLAINTEXT",
        "conductor.kafka.password",
        password);
  }

  /** The broker outlives this test class: later ones reuse it; a shutdown hook stops it. */
  @Override
  public void stop() {}

  /** Bootstrap servers of the shared broker, starting it if needed (for plain JUnit tests). */
  public static String bootstrapServers() {
    return Shared.kafka();
  }

  /** Client settings to reach the shared broker as {@code principal}. */
  public static Map<String, Object> client(String principal) {
    // One password for every principal in a test JVM (Shared#kafkaSecrets).
    String password = Shared.kafkaSecrets(List.of()).password(Principals.ADMIN);
    Map<String, String> passwords = new HashMap<>(Map.of(Principals.ADMIN, password));
    passwords.put(principal, password);
    return new BusSecrets(passwords).client(Shared.kafka(), principal);
  }

  /** Client settings to reach the shared broker as the super user (what tests fake or inspect). */
  public static Map<String, Object> admin() {
    return client(Principals.ADMIN);
  }

  /** Provisions pools on the shared broker (topics, their executors' principals and ACLs). */
  public static void provision(String... pools) {
    List<String> all = new ArrayList<>(Topics.DEFAULT_POOLS);
    all.addAll(List.of(pools));
    Map<String, Object> config = new HashMap<>(admin());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "conductor-testkit-bus");
    try (Admin admin = Admin.create(config)) {
      Bus.provision(admin, all, Shared.kafkaSecrets(all));
    }
  }
}
