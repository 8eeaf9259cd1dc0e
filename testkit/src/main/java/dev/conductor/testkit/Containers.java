package dev.conductor.testkit;

import dev.conductor.embedded.EmbeddedDatabase;
import dev.conductor.embedded.EmbeddedKafka;
import java.util.List;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Docker alternative, for machines that have Docker and set {@code
 * CONDUCTOR_TESTCONTAINERS=true}: same images and versions as production.
 */
final class Containers {
  static final String ENV = "CONDUCTOR_TESTCONTAINERS";

  private Containers() {}

  static boolean enabled() {
    return "true".equalsIgnoreCase(System.getenv(ENV));
  }

  /** Starts a Kafka container with the topics of {@code pools}; returns its bootstrap servers. */
  static String kafka(List<String> pools) {
    KafkaContainer kafka =
        new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.1"))
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    kafka.start();
    stopOnExit(kafka::stop);
    EmbeddedKafka.createTopics(kafka.getBootstrapServers(), pools);
    return kafka.getBootstrapServers();
  }

  static EmbeddedDatabase postgres() {
    PostgreSQLContainer postgres =
        new PostgreSQLContainer(DockerImageName.parse("postgres:16-alpine"));
    postgres.start();
    stopOnExit(postgres::stop);
    String url =
        "jdbc:postgresql://"
            + postgres.getHost()
            + ":"
            + postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT)
            + "/"
            + postgres.getDatabaseName();
    return EmbeddedDatabase.external(url, postgres.getUsername(), postgres.getPassword());
  }

  private static void stopOnExit(Runnable stop) {
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "testkit-container-stop"));
  }
}
