package dev.conductor.testkit;

import dev.conductor.embedded.EmbeddedDatabase;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Docker alternative for PostgreSQL, for machines that have Docker and set {@code
 * CONDUCTOR_TESTCONTAINERS=true}: same image and version as production. Kafka is always the
 * embedded one ({@code Shared}), which runs the bus as production does: SASL/SCRAM and ACLs.
 */
final class Containers {
  static final String ENV = "CONDUCTOR_TESTCONTAINERS";

  private Containers() {}

  static boolean enabled() {
    return "true".equalsIgnoreCase(System.getenv(ENV));
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
