package dev.conductor.audit.verify;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conductor.audit.RunEvents;
import dev.conductor.events.EventType;
import dev.conductor.testkit.AccessTestResource;
import dev.conductor.testkit.IssuerTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VerifyResourceTest {
  @Inject DataSource db;

  @Test
  void verifyNeedsATokenAndAuditReadAtRoot() {
    given().post("/api/v1/ledger/verify").then().statusCode(401);
    given()
        .auth()
        .oauth2(IssuerTestResource.issuer().foreignToken("mallory"))
        .post("/api/v1/ledger/verify")
        .then()
        .statusCode(401);
    String subject = "ws-auditor-" + UUID.randomUUID();
    AccessTestResource.grant(subject, "audit.read", "/workspaces/some-ws");
    given()
        .auth()
        .oauth2(IssuerTestResource.issuer().token(subject, List.of()))
        .post("/api/v1/ledger/verify")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
  }

  @Test
  void verifyFindsTheTamperedRecord() throws Exception {
    RunEvents run = new RunEvents();
    run.publishReversed(-1);
    await().atMost(Duration.ofSeconds(30)).until(() -> count(run.runId) == run.events.size());

    JsonPath ok = verify();
    assertThat(ok.getBoolean("ok")).isTrue();
    assertThat(ok.getInt("chains")).isEqualTo(4);
    assertThat(ok.getLong("records")).isGreaterThanOrEqualTo(8);
    assertThat(ok.<Object>get("firstBad")).isNull();

    String eventId = run.events.get(1).event().id(); // run.queued
    int chain;
    long seq;
    String original;
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT chain, seq, event FROM ledger WHERE id = ?")) {
      s.setString(1, eventId);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        chain = rs.getInt(1);
        seq = rs.getLong(2);
        original = rs.getString(3);
      }
    }
    assertThat(original).contains("\"type\":\"" + EventType.RUN_QUEUED.type() + "\"");
    String forged = original.replace("\"pool\":\"dev\"", "\"pool\":\"prod\"");
    assertThat(forged).isNotEqualTo(original);

    // The ledger refuses updates; tampering takes someone who can bypass the trigger.
    assertThatThrownBy(() -> setEvent(eventId, forged, false))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("append-only");
    setEvent(eventId, forged, true);
    try {
      JsonPath bad = verify();
      assertThat(bad.getBoolean("ok")).isFalse();
      assertThat(bad.getInt("firstBad.chain")).isEqualTo(chain);
      assertThat(bad.getLong("firstBad.seq")).isEqualTo(seq);
      assertThat(bad.getString("firstBad.eventId")).isEqualTo(eventId);
      assertThat(bad.getString("firstBad.reason")).contains("hash");
    } finally {
      setEvent(eventId, original, true);
    }
    assertThat(verify().getBoolean("ok")).isTrue();
  }

  private JsonPath verify() {
    String subject = "root-auditor-" + UUID.randomUUID();
    AccessTestResource.grant(subject, "audit.read", "/");
    return given()
        .auth()
        .oauth2(IssuerTestResource.issuer().token(subject, List.of()))
        .post("/api/v1/ledger/verify")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private void setEvent(String eventId, String event, boolean bypassTrigger) throws SQLException {
    try (Connection c = db.getConnection()) {
      try (Statement s = c.createStatement()) {
        // A superuser's way around row triggers (the embedded test server runs as one).
        s.execute("SET session_replication_role = " + (bypassTrigger ? "replica" : "DEFAULT"));
      }
      try (PreparedStatement s = c.prepareStatement("UPDATE ledger SET event = ? WHERE id = ?")) {
        s.setString(1, event);
        s.setString(2, eventId);
        assertThat(s.executeUpdate()).isEqualTo(1);
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("SET session_replication_role = DEFAULT");
        }
      }
    }
  }

  private long count(String runId) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM ledger WHERE record_key = ?")) {
      s.setString(1, runId);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
