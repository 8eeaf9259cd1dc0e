package dev.conductor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.deploy.local.LocalStack;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptCancelled;
import dev.conductor.events.data.AttemptFailed;
import dev.conductor.events.data.AttemptStarted;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.AttemptTimedOut;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The slot model end to end (DESIGN §6): two executors share pool {@code dev}, and however the
 * scheduler dispatches ahead of capacity, the attempts running at once, counted from the executors'
 * own start and end events, never exceed the pool's capacity nor an executor its slots, also while
 * one executor is killed mid-load. Every run still succeeds and nothing reaches the DLQ.
 */
class SlotCapacityE2ETest {
  private static final String WS = "demo";
  private static final int FIRST_SLOTS = 3;
  private static final int SECOND_SLOTS = 2;
  private static final int RUNS = 240;
  private static final String PIPELINE =
      """
      {"runAs": "etl-bot", "environments": ["dev"], "parameters": {"type": "object"},
       "steps": [{"name": "work", "jobType": "sleep", "spec": {"millis": 150},
                  "resourceClass": "smallrc", "maxRetries": 2}]}
      """;

  private static Conductor conductor;
  private static String second;

  @BeforeAll
  static void startStack() {
    conductor = Conductor.start(Map.of("dev", FIRST_SLOTS));
    second = conductor.stack.addExecutor("dev", SECOND_SLOTS);
    conductor.putPipeline("alice", WS, "capacity", PIPELINE).then().statusCode(201);
  }

  @AfterAll
  static void stopStack() {
    if (conductor != null) {
      conductor.close();
    }
  }

  @Test
  void twoExecutorsNeverRunMoreThanThePoolsCapacityEvenWhenOneIsKilled() {
    String first = LocalStack.executorName("dev");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> conductor.pool("dev").jsonPath().getInt("capacity") == 5);

    Set<String> runIds = new HashSet<>();
    Instant killedAt = null;
    for (int i = 0; i < RUNS; i++) {
      runIds.add(
          conductor
              .startRun("alice", WS, "capacity", "{\"environment\":\"dev\",\"parameters\":{}}")
              .then()
              .statusCode(201)
              .extract()
              .path("runId"));
      if (i == RUNS / 3) {
        // Killed without warning while it runs attempts and holds polled jobs: its claimed
        // attempts are lost and retried, its unclaimed jobs go to the other executor.
        await().atMost(Duration.ofSeconds(60)).until(() -> startedBy(second) > 0);
        ProcessHandle.of(conductor.stack.process(second).pid())
            .ifPresent(ProcessHandle::destroyForcibly);
        killedAt = Instant.now();
        conductor.stack.stop(second);
      }
    }

    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> finished(runIds).size() == RUNS);
    assertThat(finished(runIds).values()).as("every run succeeded").containsOnly("run.succeeded");

    // Intervals from the executors' own events; the killed one's open attempts end at the kill.
    Map<String, Instant> started = new HashMap<>();
    Map<String, String> executorOf = new HashMap<>();
    Map<String, Instant> ended = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : conductor.readAll(Topics.attempts("dev"))) {
      if (!runIds.contains(record.key())) {
        continue;
      }
      Envelope<?> event = KafkaEvents.decode(record.headers(), record.key(), record.value());
      Object data = event.data();
      if (data instanceof AttemptStarted s) {
        started.put(s.attemptId(), s.startedAt());
        executorOf.put(s.attemptId(), s.executorId());
      } else if (data instanceof AttemptSucceeded e) {
        ended.put(e.attemptId(), e.finishedAt());
      } else if (data instanceof AttemptFailed e) {
        ended.put(e.attemptId(), e.finishedAt());
      } else if (data instanceof AttemptTimedOut e) {
        ended.put(e.attemptId(), e.finishedAt());
      } else if (data instanceof AttemptCancelled e) {
        ended.put(e.attemptId(), e.finishedAt());
      }
    }
    List<long[]> all = new ArrayList<>();
    Map<String, List<long[]>> perExecutor = new HashMap<>();
    for (Map.Entry<String, Instant> s : started.entrySet()) {
      Instant end = ended.get(s.getKey());
      String executor = executorOf.get(s.getKey());
      if (end == null) {
        assertThat(executor)
            .as("only the killed executor leaves attempts unended")
            .isEqualTo(second);
        end = killedAt;
      }
      long[] interval = {s.getValue().toEpochMilli(), end.toEpochMilli()};
      all.add(interval);
      perExecutor.computeIfAbsent(executor, k -> new ArrayList<>()).add(interval);
    }
    assertThat(perExecutor).containsKeys(first, second);
    assertThat(maxOverlap(perExecutor.get(first))).isBetween(1, FIRST_SLOTS);
    assertThat(maxOverlap(perExecutor.get(second))).isBetween(1, SECOND_SLOTS);
    assertThat(maxOverlap(all))
        .as("attempts running at once in the pool")
        .isLessThanOrEqualTo(FIRST_SLOTS + SECOND_SLOTS);

    assertThat(conductor.deadLetters())
        .as("nothing of these runs in the DLQ")
        .noneMatch(r -> runIds.contains(r.key()));
    assertThat(conductor.pool("dev").jsonPath().getInt("used")).isZero();
  }

  private static long startedBy(String executor) {
    return conductor.readAll(Topics.attempts("dev")).stream()
        .filter(r -> "dev.conductor.attempt.started.v1".equals(header(r, "ce_type")))
        .map(r -> KafkaEvents.decode(r.headers(), r.key(), r.value()).data())
        .filter(d -> executor.equals(((AttemptStarted) d).executorId()))
        .count();
  }

  /** The final event of each of {@code runIds} that has one: run.succeeded or run.failed. */
  private static Map<String, String> finished(Set<String> runIds) {
    Map<String, String> out = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : conductor.readAll(Topics.RUNS)) {
      String type = header(r, "ce_type");
      if (runIds.contains(r.key())
          && (EventType.RUN_SUCCEEDED.type().equals(type)
              || EventType.RUN_FAILED.type().equals(type))) {
        out.put(r.key(), type.replace("dev.conductor.", "").replace(".v1", ""));
      }
    }
    return out;
  }

  /** The most intervals [start, end) that overlap at one instant. */
  private static int maxOverlap(List<long[]> intervals) {
    List<long[]> edges = new ArrayList<>();
    for (long[] i : intervals) {
      edges.add(new long[] {i[0], +1});
      edges.add(new long[] {i[1], -1});
    }
    // Ends before starts at the same millisecond: a slot freed and taken again is not two.
    edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int now = 0;
    int max = 0;
    for (long[] e : edges) {
      now += (int) e[1];
      max = Math.max(max, now);
    }
    return max;
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
