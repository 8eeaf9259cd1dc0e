package dev.conductor.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.platform.db.outbox.OutboxRelay;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The platform's outbox relay, with this service's real database and broker: a row that can never
 * be published is parked with its reason, and the rows behind it (the same key, even) go on.
 */
@QuarkusTest
class OutboxParkingTest {
  @Inject DataSource dataSource;
  @Inject OutboxRelay relay;

  @Test
  void aRowForATopicTheBrokerDoesNotHaveIsParkedAndTheRowsBehindItArePublished()
      throws SQLException {
    String key = "parking-" + UUID.randomUUID();
    long stuck = insert(key, "conductor.nowhere");
    long behind = insert(key, Topics.changes(Principals.TRIGGER_SERVICE));
    try {
      relay.takeOver();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> parkedReason(stuck) != null && !exists(behind));
      // The bus does not tell a principal whether a topic it may not see exists.
      assertThat(parkedReason(stuck))
          .isEqualTo(
              "topic conductor.nowhere does not exist or this service may not see it"
                  + " (no ACL allows it)");
      // Parked rows stay for an operator and are not retried.
      relay.takeOver();
      await().atMost(Duration.ofSeconds(10)).until(() -> !relay.inCharge());
      assertThat(exists(stuck)).isTrue();
    } finally {
      try (Connection c = dataSource.getConnection();
          PreparedStatement delete = c.prepareStatement("DELETE FROM outbox WHERE seq = ?")) {
        delete.setLong(1, stuck);
        delete.executeUpdate();
      }
    }
  }

  private long insert(String key, String topic) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO outbox (event_id, topic, record_key, headers, value)"
                    + " VALUES (?, ?, ?, '{}'::jsonb, ?) RETURNING seq")) {
      insert.setString(1, UUID.randomUUID().toString());
      insert.setString(2, topic);
      insert.setString(3, key);
      insert.setBytes(4, "{}".getBytes());
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private String parkedReason(long seq) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("SELECT parked_reason FROM outbox WHERE seq = ?")) {
      select.setLong(1, seq);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private boolean exists(long seq) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select = c.prepareStatement("SELECT 1 FROM outbox WHERE seq = ?")) {
      select.setLong(1, seq);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next();
      }
    }
  }
}
