package dev.conductor.audit.ledger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.audit.RunEvents;
import dev.conductor.events.EventType;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.testkit.AccessTestResource;
import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LedgerFlowTest {
  private static final String DLQ = Topics.dlq(Principals.SCHEDULER_SERVICE);
  private static final String CHANGES = Topics.changes(Principals.TRIGGER_SERVICE);

  @Inject DataSource db;

  @Test
  void aRunIsRecordedOnceChainedPublishedAndRedacted() throws Exception {
    RunEvents run = new RunEvents();
    // run.queued twice: a redelivery (same source and id) is neither recorded again nor uses a seq.
    run.publishReversed(1);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> count("SELECT count(*) FROM ledger WHERE record_key = ?", run.runId) >= 8);
    assertThat(count("SELECT count(*) FROM ledger WHERE record_key = ?", run.runId)).isEqualTo(8);
    for (RunEvents.Published p : run.events) {
      assertThat(count("SELECT count(*) FROM ledger WHERE id = ?", p.event().id()))
          .as(p.event().type().shortName())
          .isEqualTo(1);
    }

    // Secrets never reach the database.
    assertThat(count("SELECT count(*) FROM ledger WHERE event LIKE ?", "%secret-jwe%")).isZero();
    assertThat(count("SELECT count(*) FROM ledger WHERE event LIKE ?", "%p4ssw0rd%")).isZero();
    assertThat(
            count(
                "SELECT count(*) FROM outbox WHERE convert_from(value, 'UTF8') LIKE ?",
                "%secret-jwe%"))
        .isZero();
    String authorized =
        text(
            "SELECT event FROM ledger WHERE record_key = ? AND type = ?",
            run.runId,
            EventType.JOB_AUTHORIZED.type());
    assertThat(new ObjectMapper().readTree(authorized).path("data").path("credentials").asText())
        .isEqualTo("[redacted]");

    // Each event became an audit.record on conductor.audit, keyed by the run.
    List<KafkaProbe.Seen> published =
        KafkaProbe.shared()
            .await(s -> Topics.AUDIT.equals(s.topic()) && run.runId.equals(s.key()), 8);
    Map<Long, KafkaProbe.Seen> bySeq = new TreeMap<>();
    published.forEach(m -> bySeq.put(json(m).path("seq").asLong(), m));
    assertThat(bySeq).hasSize(8);
    for (KafkaProbe.Seen m : published) {
      assertThat(m.value()).doesNotContain("secret-jwe").doesNotContain("p4ssw0rd");
    }
    int chain = ChainHash.chainOf(run.runId, Topics.AUDIT_PARTITIONS);
    for (KafkaProbe.Seen m : bySeq.values()) {
      JsonNode r = json(m);
      // chain = murmur2 rule = the partition Kafka's default partitioner chose for the key
      assertThat(r.path("chain").asInt()).isEqualTo(chain).isEqualTo(m.record().partition());
      assertThat(r.path("traceparent").asText()).isEqualTo(run.traceparent);
      long seq = r.path("seq").asLong();
      String previous =
          seq == 1
              ? ChainHash.GENESIS
              : text("SELECT hash FROM ledger WHERE chain = ? AND seq = ?", chain, seq - 1);
      assertThat(r.path("prevHash").asText()).isEqualTo(previous);
      assertThat(r.path("hash").asText())
          .isEqualTo(text("SELECT hash FROM ledger WHERE chain = ? AND seq = ?", chain, seq));
    }
    // Consecutive records of the run link to each other whenever no other key came between.
    List<JsonNode> ordered = bySeq.values().stream().map(LedgerFlowTest::json).toList();
    for (int i = 1; i < ordered.size(); i++) {
      JsonNode prev = ordered.get(i - 1);
      JsonNode cur = ordered.get(i);
      if (cur.path("seq").asLong() == prev.path("seq").asLong() + 1) {
        assertThat(cur.path("prevHash").asText()).isEqualTo(prev.path("hash").asText());
      }
    }

    // An analyst's independent recomputation from the topic alone.
    JsonNode record = ordered.get(3);
    ObjectNode hashed = new ObjectMapper().createObjectNode();
    hashed.put("chain", record.path("chain").asInt());
    hashed.put("seq", record.path("seq").asLong());
    hashed.put("prevHash", record.path("prevHash").asText());
    hashed.set("event", record.path("event"));
    byte[] canonical =
        new JsonCanonicalizer(new ObjectMapper().writeValueAsString(hashed)).getEncodedUTF8();
    String recomputed =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    assertThat(recomputed)
        .isEqualTo(record.path("hash").asText())
        .isEqualTo(
            text(
                "SELECT hash FROM ledger WHERE chain = ? AND seq = ?",
                record.path("chain").asInt(),
                record.path("seq").asLong()));

    // The timeline, in causal order despite the skewed clocks and reversed publishing.
    String subject = "auditor-" + run.runId;
    AccessTestResource.grant(subject, "audit.read", "/workspaces/" + run.workspace);
    JsonPath timeline =
        given()
            .auth()
            .oauth2(IssuerTestResource.issuer().token(subject, List.of()))
            .get("/api/v1/runs/{runId}/timeline", run.runId)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(timeline.getString("runId")).isEqualTo(run.runId);
    assertThat(timeline.getList("records.type")).containsExactlyElementsOf(run.types());
    assertThat(timeline.getList("records.id"))
        .containsExactlyElementsOf(run.events.stream().map(p -> p.event().id()).toList());
    assertThat(timeline.getString("records[2].step")).isEqualTo("extract");
    assertThat(timeline.getString("records[0].step")).isNull();
    assertThat(timeline.getString("records[1].causationId"))
        .isEqualTo(run.events.get(0).event().id());
    assertThat(timeline.getString("records[4].topic")).isEqualTo("conductor.jobs.dev");
    assertThat(timeline.getString("records[4].traceparent")).isEqualTo(run.traceparent);
    assertThat(timeline.getString("records[7].hash")).matches("[0-9a-f]{64}");
    assertThat(timeline.getString("records[0].time")).isEqualTo("2030-01-01T10:00:00Z");
    assertThat(timeline.getInt("records[0].chain")).isEqualTo(chain);
  }

  @Test
  void aDlqEntryIsRecordedAsAFactWithoutItsValue() throws Exception {
    String key = "run-dlq-" + System.nanoTime();
    ProducerRecord<String, byte[]> entry =
        new ProducerRecord<>(
            DLQ, key, "{\"password\":\"hunter2-in-value\"}".getBytes(StandardCharsets.UTF_8));
    entry.headers().add("dlq-reason", utf8("rejected: unknown pipeline"));
    entry.headers().add("dlq-source-topic", utf8(Topics.RUNS));
    entry.headers().add("dlq-partition", utf8("2"));
    entry.headers().add("dlq-offset", utf8("17"));
    entry.headers().add("x-secret-token", utf8("hunter2-in-header"));
    var meta = KafkaProbe.shared().send(entry);
    String id = "dlq-scheduler-service-" + meta.partition() + "-" + meta.offset();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> count("SELECT count(*) FROM ledger WHERE id = ?", id) == 1);
    JsonNode event = new ObjectMapper().readTree(text("SELECT event FROM ledger WHERE id = ?", id));
    assertThat(event.path("type").asText()).isEqualTo(RecordReader.DLQ_RECORDED);
    assertThat(event.path("source").asText()).isEqualTo("/conductor/audit-service");
    JsonNode data = event.path("data");
    assertThat(data.path("key").asText()).isEqualTo(key);
    assertThat(data.path("topic").asText()).isEqualTo(DLQ);
    assertThat(data.path("headers").path("dlq-reason").asText())
        .isEqualTo("rejected: unknown pipeline");
    assertThat(data.path("headers").path("dlq-source-topic").asText()).isEqualTo(Topics.RUNS);
    assertThat(data.path("headers").path("dlq-offset").asText()).isEqualTo("17");
    assertThat(data.path("headers").path("x-secret-token").asText()).isEqualTo("[redacted]");
    assertThat(data.path("valueLength").asInt()).isEqualTo(31);
    assertThat(event.toString()).doesNotContain("hunter2");
    assertThat(text("SELECT topic FROM ledger WHERE id = ?", id)).isEqualTo(DLQ);
  }

  @Test
  void anUnreadableRecordIsRecordedAndConsumptionContinues() throws Exception {
    String key = "run-bad-" + System.nanoTime();
    var meta =
        KafkaProbe.shared()
            .send(
                new ProducerRecord<>(
                    CHANGES, key, "not a cloudevent".getBytes(StandardCharsets.UTF_8)));
    RunEvents after = new RunEvents();
    RunEvents.Published first = after.events.get(0);
    KafkaProbe.shared().publish(first.event(), CHANGES, null);

    String id = "unreadable-" + CHANGES + "-" + meta.partition() + "-" + meta.offset();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> count("SELECT count(*) FROM ledger WHERE id = ?", first.event().id()) == 1);
    assertThat(
            count(
                "SELECT count(*) FROM ledger WHERE id = ? AND type = ?",
                id,
                RecordReader.UNREADABLE_RECORDED))
        .isEqualTo(1);
    assertThat(text("SELECT event FROM ledger WHERE id = ?", id)).contains("\"reason\":");
    // Audit never feeds the DLQ, whatever it reads.
    assertThat(
            count(
                "SELECT count(*) FROM ledger WHERE type = ? AND event LIKE ?",
                RecordReader.DLQ_RECORDED,
                "%" + key + "%"))
        .isZero();
  }

  private long count(String sql, Object... args) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private String text(String sql, Object... args) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as(sql).isTrue();
        return rs.getString(1);
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** An audit record's value as JSON. */
  private static JsonNode json(KafkaProbe.Seen record) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(record.value());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
