package dev.conductor.testkit;

import dev.conductor.embedded.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The JVM-wide shared PostgreSQL for {@code @QuarkusTest}s. Config: {@code
 * quarkus.datasource.jdbc.url}, {@code quarkus.datasource.reactive.url}, {@code
 * quarkus.datasource.username}, {@code quarkus.datasource.password}.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    EmbeddedDatabase db = Shared.database();
    return Map.of(
        "quarkus.datasource.jdbc.url", db.jdbcUrl(),
        "quarkus.datasource.reactive.url", db.reactiveUrl(),
        "quarkus.datasource.username", db.user(),
        "quarkus.datasource.password", db.password());
  }

  /** The server outlives this test class: later ones reuse it; a shutdown hook stops it. */
  @Override
  public void stop() {}

  /** The shared server, starting it if needed (for plain JUnit tests). */
  public static EmbeddedDatabase database() {
    return Shared.database();
  }
}
