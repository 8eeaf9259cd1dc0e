package dev.conductor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Quarkus test resources, driven directly as Quarkus drives them. */
class SharedResourcesTest {
  @Test
  void kafkaResourceSharesOneBrokerAcrossInstances() {
    Map<String, String> first = new KafkaTestResource().start();
    Map<String, String> second = new KafkaTestResource().start();
    assertThat(first)
        .containsOnlyKeys(
            "kafka.bootstrap.servers", "kafka.security.protocol", "conductor.kafka.password");
    assertThat(first.get("kafka.bootstrap.servers")).matches("127\\.0\\.0\\.1:\\d+");
    assertThat(first.get("conductor.kafka.password")).hasSizeGreaterThan(20);
    assertThat(second).isEqualTo(first);
    assertThat(KafkaTestResource.bootstrapServers())
        .isEqualTo(first.get("kafka.bootstrap.servers"));
  }

  @Test
  void postgresResourceConfiguresBothDatasourceKinds() throws Exception {
    Map<String, String> config = new PostgresTestResource().start();
    assertThat(config)
        .containsOnlyKeys(
            "quarkus.datasource.jdbc.url",
            "quarkus.datasource.reactive.url",
            "quarkus.datasource.username",
            "quarkus.datasource.password");
    assertThat(new PostgresTestResource().start()).isEqualTo(config);
    try (Connection c =
            DriverManager.getConnection(
                config.get("quarkus.datasource.jdbc.url"),
                config.get("quarkus.datasource.username"),
                config.get("quarkus.datasource.password"));
        ResultSet rs = c.createStatement().executeQuery("select 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  @Test
  void issuerResourceNamesTheIssuerTestsMintWith() {
    Map<String, String> config = new IssuerTestResource().start();
    assertThat(config).containsOnlyKeys("conductor.auth.issuers");
    assertThat(config.get("conductor.auth.issuers"))
        .isEqualTo(IssuerTestResource.issuer().issuer())
        .startsWith("http://127.0.0.1:");
  }
}
