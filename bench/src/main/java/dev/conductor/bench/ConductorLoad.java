package dev.conductor.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Runs of the one-step {@code noop} pipeline {@code demo/bench}, started over REST as alice at an
 * open-loop rate and observed on {@code conductor.attempts.dev} (first {@code attempt.started}) and
 * {@code conductor.runs} ({@code run.succeeded} / {@code run.failed}) by one consumer in this JVM.
 */
final class ConductorLoad implements Workload, AutoCloseable {
  static final String JOB_START = "trigger→job-start";
  static final String FINISHED = "trigger→run-finished";
  private static final String WS = "demo";
  private static final String PIPELINE = "bench";
  private static final String DEFINITION =
      """
      {"description": "benchmark: one noop step", "runAs": "etl-bot", "environments": ["dev"],
       "parameters": {"type": "object"},
       "steps": [{"name": "noop", "jobType": "noop", "resourceClass": "smallrc"}]}
      """;
  private static final String RUN_BODY = "{\"environment\":\"dev\",\"parameters\":{}}";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LocalStack stack;
  private final Duration drain;
  private final Duration settle;
  private final ExecutorService httpThreads = Executors.newFixedThreadPool(4, daemon("bench-http"));
  private final HttpClient http;
  private final Map<String, Long> started = new ConcurrentHashMap<>();
  private final Map<String, Long> finished = new ConcurrentHashMap<>();
  private final Set<String> failedRuns = ConcurrentHashMap.newKeySet();
  private final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread observer;
  private volatile boolean running = true;

  ConductorLoad(LocalStack stack, Duration drain, Duration settle) {
    this.stack = stack;
    this.drain = drain;
    this.settle = settle;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(httpThreads)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    Properties props = new Properties();
    props.putAll(stack.kafkaClient(Principals.ADMIN));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-observer");
    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    // The benchmark pipeline runs in dev: its attempts report on dev's topic.
    for (String topic : List.of(Topics.attempts("dev"), Topics.RUNS)) {
      consumer
          .partitionsFor(topic)
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fix the start now, before any load
    observer = new Thread(this::observe, "bench-observer");
    observer.setDaemon(true);
    observer.start();
  }

  /** Creates (or updates) the benchmark pipeline as alice. */
  void createPipeline() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    stack.url(LocalStack.TRIGGER)
                        + "/api/v1/workspaces/"
                        + WS
                        + "/pipelines/"
                        + PIPELINE))
            .header("Authorization", "Bearer " + stack.token("alice"))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(DEFINITION))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "creating pipeline answered " + response.statusCode() + ": " + response.body());
    }
  }

  private void observe() {
    try {
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
        long now = System.nanoTime();
        for (ConsumerRecord<String, byte[]> r : records) {
          String type = KafkaEvents.header(r.headers(), "ce_type");
          if (type == null) {
            continue;
          }
          if (type.endsWith(".attempt.started.v1")) {
            String runId = runId(r);
            if (runId != null) {
              started.putIfAbsent(runId, now);
            }
          } else if (type.endsWith(".run.succeeded.v1") || type.endsWith(".run.failed.v1")) {
            String runId = runId(r);
            if (runId != null) {
              if (type.endsWith(".run.failed.v1")) {
                failedRuns.add(runId);
              }
              finished.putIfAbsent(runId, now);
            }
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  private static String runId(ConsumerRecord<String, byte[]> r) {
    if (r.value() != null) {
      try {
        String id = JSON.readTree(r.value()).path("runId").asText(null);
        if (id != null) {
          return id;
        }
      } catch (Exception e) {
        // fall back to the key: every event is keyed by run id
      }
    }
    return r.key();
  }

  @Override
  public StepResult run(int n, double rate) throws Exception {
    return run(n, rate, drain);
  }

  /** The same load waiting at most {@code wait} for the last runs (the search needs less). */
  Workload withDrain(Duration wait) {
    return (n, rate) -> run(n, rate, wait);
  }

  /**
   * Waits (at most {@code max}) until every run started so far has finished, so that a step does
   * not start behind the previous step's backlog; returns how many were still running.
   */
  int settle(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline && !finished.keySet().containsAll(accepted)) {
      Thread.sleep(20);
    }
    return (int) accepted.stream().filter(id -> !finished.containsKey(id)).count();
  }

  private StepResult run(int n, double rate, Duration drain) throws Exception {
    int backlog = settle(settle);
    if (backlog > 0) {
      System.err.println(
          "[bench] " + backlog + " earlier runs still unfinished; starting the step anyway");
    }
    String token = stack.token("alice"); // one token per step; tokens last 15 minutes
    URI uri =
        URI.create(
            stack.url(LocalStack.TRIGGER)
                + "/api/v1/workspaces/"
                + WS
                + "/pipelines/"
                + PIPELINE
                + "/runs");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(RUN_BODY))
            .build();
    Map<String, Long> intended = new ConcurrentHashMap<>();
    AtomicInteger rejected = new AtomicInteger();
    CountDownLatch answered = new CountDownLatch(n);
    long start = System.nanoTime() + 20_000_000L;
    long last =
        OpenLoop.run(
            n,
            rate,
            start,
            (i, due) ->
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete(
                        (response, error) -> {
                          try {
                            String runId = null;
                            if (error == null && response.statusCode() == 201) {
                              runId = JSON.readTree(response.body()).path("runId").asText(null);
                            }
                            if (runId == null) {
                              rejected.incrementAndGet();
                            } else {
                              intended.put(runId, due);
                              accepted.add(runId);
                            }
                          } catch (Exception e) {
                            rejected.incrementAndGet();
                          } finally {
                            answered.countDown();
                          }
                        }));
    long deadline = last + drain.toNanos();
    while (System.nanoTime() < deadline) {
      if (answered.getCount() == 0 && finished.keySet().containsAll(intended.keySet())) {
        break;
      }
      Thread.sleep(10);
    }
    answered.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    Histogram jobStart = Latency.histogram();
    Histogram done = Latency.histogram();
    int completed = 0;
    int failed = 0;
    int timedOut = 0;
    long lastDone = start;
    for (Map.Entry<String, Long> e : Map.copyOf(intended).entrySet()) {
      Long s = started.get(e.getKey());
      Long f = finished.get(e.getKey());
      if (s != null) {
        Latency.record(jobStart, e.getValue(), s);
      }
      if (f == null) {
        timedOut++;
      } else if (failedRuns.contains(e.getKey())) {
        failed++;
      } else {
        completed++;
        Latency.record(done, e.getValue(), f);
        lastDone = Math.max(lastDone, f);
      }
    }
    int unanswered = n - intended.size() - rejected.get();
    Map<String, Latency.Summary> latencies = new LinkedHashMap<>();
    latencies.put(JOB_START, Latency.Summary.of(jobStart));
    latencies.put(FINISHED, Latency.Summary.of(done));
    return new StepResult(
        "conductor",
        rate,
        n,
        completed,
        failed,
        rejected.get(),
        timedOut + unanswered,
        StepResult.achieved(completed, start, lastDone),
        (lastDone - start) / 1e9,
        latencies);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      observer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    httpThreads.shutdownNow();
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
