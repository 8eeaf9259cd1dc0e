package dev.conductor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL and then the Kafka broker are restarted while runs keep coming in. Conductor's own
 * infrastructure failing for a while is transient: every run it accepted succeeds (the step allows
 * no retry, so a run failed on the way would show), and nothing goes to the DLQ. A client whose
 * request failed during an outage sends it again, as any client would.
 */
class InfrastructureRestartE2ETest {
  private static final String WS = "demo";
  private static final String PIPELINE =
      """
      {"runAs": "etl-bot", "environments": ["dev"], "parameters": {"type": "object"},
       "steps": [{"name": "work", "jobType": "noop", "resourceClass": "smallrc", "maxRetries": 0}]}
      """;

  private static Conductor conductor;

  @BeforeAll
  static void startStack() {
    conductor = Conductor.start();
    conductor.putPipeline("alice", WS, "restarts", PIPELINE).then().statusCode(201);
  }

  @AfterAll
  static void stopStack() {
    if (conductor != null) {
      conductor.close();
    }
  }

  @Test
  void runsAcceptedAcrossAPostgresAndAKafkaRestartAllSucceed() throws Exception {
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    Thread load = new Thread(() -> post(accepted, stop), "e2e-load");
    load.start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= 30);
      conductor.stack.restartInfrastructure("postgres");
      int afterPostgres = accepted.size();
      await("runs are accepted again after PostgreSQL's restart")
          .atMost(Duration.ofSeconds(120))
          .until(() -> accepted.size() >= afterPostgres + 30);
      conductor.stack.restartInfrastructure("kafka");
      int afterKafka = accepted.size();
      await("runs are accepted again after Kafka's restart")
          .atMost(Duration.ofSeconds(120))
          .until(() -> accepted.size() >= afterKafka + 30);
    } finally {
      stop.set(true);
      load.join(Duration.ofSeconds(60).toMillis());
    }

    await("every accepted run ends")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> finished(accepted).size() == accepted.size());
    assertThat(finished(accepted).values()).as("every run succeeded").containsOnly("run.succeeded");
    assertThat(conductor.deadLetters()).as("nothing in the DLQ").isEmpty();
  }

  /** Posts runs one after another until told to stop; a failed request is sent again. */
  private static void post(Set<String> accepted, AtomicBoolean stop) {
    while (!stop.get()) {
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(
              () -> {
                String runId =
                    conductor
                        .startRun(
                            "alice", WS, "restarts", "{\"environment\":\"dev\",\"parameters\":{}}")
                        .then()
                        .statusCode(201)
                        .extract()
                        .path("runId");
                accepted.add(runId);
                return true;
              });
    }
  }

  private static Map<String, String> finished(Set<String> runIds) {
    Map<String, String> out = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : conductor.readAll(Topics.RUNS)) {
      var h = r.headers().lastHeader("ce_type");
      String type = h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
      if (runIds.contains(r.key())
          && (EventType.RUN_SUCCEEDED.type().equals(type)
              || EventType.RUN_FAILED.type().equals(type))) {
        out.put(r.key(), type.replace("dev.conductor.", "").replace(".v1", ""));
      }
    }
    return out;
  }
}
