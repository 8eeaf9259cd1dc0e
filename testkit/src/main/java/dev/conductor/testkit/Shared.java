package dev.conductor.testkit;

import com.nimbusds.jose.jwk.ECKey;
import dev.conductor.embedded.BusSecrets;
import dev.conductor.embedded.EmbeddedDatabase;
import dev.conductor.embedded.EmbeddedKafka;
import dev.conductor.events.Topics;
import java.text.ParseException;
import java.util.List;

/**
 * The one Kafka, PostgreSQL and issuer a test JVM shares across test classes, started on first use
 * and stopped by a shutdown hook.
 *
 * <p>Quarkus may load the test kit in several class loaders of one JVM (one per application it
 * boots), so a static field alone would start one server per loader. The addresses (and the
 * issuer's key) are therefore also published as system properties, which every loader sees; a
 * loader that finds them attaches to the running servers instead of starting new ones.
 */
final class Shared {
  private static final String KAFKA = "conductor.testkit.shared.kafka";
  private static final String KAFKA_PASSWORD = "conductor.testkit.shared.kafka.password";
  private static final String DB_URL = "conductor.testkit.shared.db.url";
  private static final String DB_USER = "conductor.testkit.shared.db.user";
  private static final String DB_PASSWORD = "conductor.testkit.shared.db.password";
  private static final String ISSUER_URL = "conductor.testkit.shared.issuer.url";
  private static final String ISSUER_KEY = "conductor.testkit.shared.issuer.key";

  private static TestIssuer issuer;

  private Shared() {}

  /**
   * Bootstrap servers of the shared broker, with the bus of {@link Topics#DEFAULT_POOLS}. It is
   * always the embedded one, also where Docker is at hand: the bus needs SASL/SCRAM and ACLs.
   */
  static synchronized String kafka() {
    String bootstrap = System.getProperty(KAFKA);
    if (bootstrap == null) {
      String password = BusSecrets.newPassword();
      EmbeddedKafka kafka =
          EmbeddedKafka.start(
              Topics.DEFAULT_POOLS, BusSecrets.uniform(password, Topics.DEFAULT_POOLS));
      closeOnExit("kafka", kafka);
      bootstrap = kafka.bootstrapServers();
      System.setProperty(KAFKA_PASSWORD, password);
      System.setProperty(KAFKA, bootstrap);
    }
    return bootstrap;
  }

  /**
   * The shared broker's principals' passwords for these pools: one password for all of them in a
   * test JVM (each service still logs in as its own principal, and the ACLs still tell them apart).
   */
  static BusSecrets kafkaSecrets(List<String> pools) {
    kafka();
    return BusSecrets.uniform(System.getProperty(KAFKA_PASSWORD), pools);
  }

  static synchronized EmbeddedDatabase database() {
    String url = System.getProperty(DB_URL);
    if (url != null) {
      return EmbeddedDatabase.external(
          url, System.getProperty(DB_USER), System.getProperty(DB_PASSWORD));
    }
    EmbeddedDatabase db = Containers.enabled() ? Containers.postgres() : EmbeddedDatabase.start();
    closeOnExit("postgres", db);
    System.setProperty(DB_URL, db.jdbcUrl());
    System.setProperty(DB_USER, db.user());
    System.setProperty(DB_PASSWORD, db.password());
    return db;
  }

  static synchronized TestIssuer issuer() {
    if (issuer != null) {
      return issuer;
    }
    String url = System.getProperty(ISSUER_URL);
    if (url != null) {
      try {
        issuer = TestIssuer.attach(url, ECKey.parse(System.getProperty(ISSUER_KEY)));
      } catch (ParseException e) {
        throw new IllegalStateException("unreadable shared issuer key", e);
      }
      return issuer;
    }
    issuer = TestIssuer.start();
    closeOnExit("issuer", issuer);
    System.setProperty(ISSUER_KEY, issuer.signingKey().toJSONString());
    System.setProperty(ISSUER_URL, issuer.issuer());
    return issuer;
  }

  private static void closeOnExit(String name, AutoCloseable resource) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    resource.close();
                  } catch (Exception e) {
                    System.err.println("testkit: cannot stop shared " + name + ": " + e);
                  }
                },
                "testkit-stop-" + name));
  }
}
