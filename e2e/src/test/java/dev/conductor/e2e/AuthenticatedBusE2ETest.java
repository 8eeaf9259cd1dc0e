package dev.conductor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bus seen from outside with Kafka's own console tools and the client files {@code up} writes:
 * without credentials nothing gets in, upstream producers write only {@code conductor.triggers},
 * analysts read only {@code conductor.audit}, and a service's principal cannot write another
 * service's topic. A forged {@code run.requested} written straight onto the bus, which once was
 * queued, scheduled and run, now never reaches a service.
 */
class AuthenticatedBusE2ETest {
  private static Conductor conductor;

  @TempDir static Path dir;

  @BeforeAll
  static void startStack() {
    conductor = Conductor.start();
    conductor
        .putPipeline(
            "alice",
            "demo",
            "bus",
            """
            {"runAs": "etl-bot", "environments": ["dev"],
             "steps": [{"name": "only", "jobType": "noop"}]}
            """)
        .then()
        .statusCode(201);
  }

  @AfterAll
  static void stopStack() {
    if (conductor != null) {
      conductor.close();
    }
  }

  @Test
  void aProducerWithoutCredentialsGetsNothingIn() {
    String key = "anonymous-" + UUID.randomUUID();
    ConsoleTools.Outcome outcome =
        ConsoleTools.produce(bootstrap(), null, Topics.TRIGGERS, List.of(line(trigger(key))));

    assertThat(outcome.output()).as(outcome.output()).containsIgnoringCase("exception");
    assertNothingWith(key, Topics.TRIGGERS, Topics.RUN_REQUESTS);
  }

  @Test
  void theUpstreamFileWritesNothingButTriggers() {
    String key = "forged-" + UUID.randomUUID();
    for (String topic : List.of(Topics.RUN_REQUESTS, Topics.RUNS, Topics.jobs("dev"))) {
      ConsoleTools.Outcome outcome =
          ConsoleTools.produce(bootstrap(), upstream(), topic, List.of(forged(key)));
      assertThat(outcome.output())
          .as(topic + ": " + outcome.output())
          .contains("TopicAuthorizationException");
    }
    assertNothingWith(key, Topics.RUN_REQUESTS, Topics.RUNS, Topics.jobs("dev"));
  }

  @Test
  void theUpstreamFileWritesATriggerThatRuns() {
    String key = "console-" + UUID.randomUUID();
    ConsoleTools.Outcome outcome =
        ConsoleTools.produce(bootstrap(), upstream(), Topics.TRIGGERS, List.of(line(trigger(key))));

    assertThat(outcome.exitCode()).as(outcome.output()).isZero();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                conductor.readAll(Topics.RUN_REQUESTS).stream()
                    .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains(key)));
  }

  @Test
  void theAnalystFileReadsTheAuditAndNothingElse() {
    // A run, so that every topic below holds records.
    String runId =
        conductor
            .startRun("alice", "demo", "bus", "{\"environment\":\"dev\",\"parameters\":{}}")
            .then()
            .statusCode(201)
            .extract()
            .path("runId");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> conductor.readAll(Topics.AUDIT).stream().anyMatch(r -> runId.equals(r.key())));

    Path analyst = conductor.stack.clientFile(Principals.ANALYST);
    ConsoleTools.Outcome audit = ConsoleTools.consume(bootstrap(), analyst, Topics.AUDIT, 1);
    assertThat(audit.exitCode()).as(audit.output()).isZero();
    assertThat(audit.output()).as(audit.output()).contains("Processed a total of 1 messages");

    for (String topic : List.of(Topics.RUNS, Topics.RUN_REQUESTS, Topics.DECISIONS)) {
      assertThat(conductor.readAll(topic)).as(topic + " holds records").isNotEmpty();
      ConsoleTools.Outcome refused = ConsoleTools.consume(bootstrap(), analyst, topic, 1);
      // Refused outright, or (as Kafka hides topics a principal may not describe) nothing read.
      assertThat(refused.output())
          .as(topic + ": " + refused.output())
          .containsAnyOf("TopicAuthorizationException", "Processed a total of 0 messages");
    }
  }

  @Test
  void aServicesPrincipalCannotWriteAnotherServicesTopic() throws Exception {
    Path trigger = dir.resolve("trigger-service.properties");
    conductor.stack.busSecrets().writeClientFile(trigger, bootstrap(), Principals.TRIGGER_SERVICE);
    String key = "cross-" + UUID.randomUUID();
    for (String topic : List.of(Topics.RUNS, Topics.JOB_EVENTS, Topics.attempts("dev"))) {
      ConsoleTools.Outcome outcome =
          ConsoleTools.produce(bootstrap(), trigger, topic, List.of(forged(key)));
      assertThat(outcome.output())
          .as(topic + ": " + outcome.output())
          .contains("TopicAuthorizationException");
    }
    assertNothingWith(key, Topics.RUNS, Topics.JOB_EVENTS, Topics.attempts("dev"));
    assertThat(Files.readString(trigger)).contains("SCRAM-SHA-512");
  }

  private static String bootstrap() {
    return conductor.stack.bootstrapServers();
  }

  private static Path upstream() {
    return conductor.stack.clientFile(Principals.UPSTREAM);
  }

  /** A trigger for the test pipeline, signed with alice's trigger token. */
  private static ProducerRecord<String, byte[]> trigger(String key) {
    return Conductor.trigger(key, conductor.stack.triggerToken("alice"), "bus", "{}");
  }

  /** A forged record's line: a header, the key, a value. */
  private static String forged(String key) {
    return "x-forged:yes\t" + key + "\tforged";
  }

  /** The console producer's line for a record: {@code h1:v1,h2:v2<TAB>key<TAB>value}. */
  private static String line(ProducerRecord<String, byte[]> record) {
    String headers =
        java.util.stream.StreamSupport.stream(record.headers().spliterator(), false)
            .map(h -> h.key() + ":" + new String(h.value(), StandardCharsets.UTF_8))
            .collect(Collectors.joining(","));
    return headers
        + "\t"
        + record.key()
        + "\t"
        + new String(record.value(), StandardCharsets.UTF_8);
  }

  private static void assertNothingWith(String key, String... topics) {
    for (String topic : topics) {
      assertThat(conductor.readAll(topic))
          .as("records with key %s on %s", key, topic)
          .noneMatch(r -> key.equals(r.key()));
    }
    assertThat(conductor.deadLetters())
        .as("nothing reached a service to be dead-lettered")
        .noneMatch(r -> key.equals(r.key()));
  }
}
