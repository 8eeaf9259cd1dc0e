package dev.conductor.bench;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The floor: the same messages through four plain consume→produce hops ({@code bench.floor.0} → … →
 * {@code bench.floor.4}, one partition each) on the same broker, hops 1 and 3 also doing one
 * PostgreSQL INSERT + COMMIT on the same database before producing. No JSON, CloudEvents, auth or
 * outbox: what the critical path of a run costs in Kafka hops and commits alone.
 */
final class FloorLoad implements Workload, AutoCloseable {
  static final String END_TO_END = "end-to-end (4 hops + 2 commits)";
  static final int HOPS = 4;
  private static final String PREFIX = "bench.floor.";

  private final Map<String, Object> client;
  private final String jdbcUrl;
  private final String dbUser;
  private final String dbPassword;
  private final Duration drain;
  private final List<Thread> threads = new ArrayList<>();
  private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final KafkaProducer<byte[], byte[]> source;
  private final Map<String, String> dbSettings = new LinkedHashMap<>();
  private volatile boolean running = true;
  private volatile Step current;

  /** One step's bookkeeping: intended times in, arrival times out, indexed by sequence. */
  private static final class Step {
    final int id;
    final long[] intended;
    final long[] arrived;
    final AtomicInteger arrivals = new AtomicInteger();

    Step(int id, int n) {
      this.id = id;
      this.intended = new long[n];
      this.arrived = new long[n];
    }
  }

  private int steps;

  FloorLoad(
      Map<String, Object> client, String jdbcUrl, String dbUser, String dbPassword, Duration drain)
      throws Exception {
    this.client = Map.copyOf(client);
    this.jdbcUrl = jdbcUrl;
    this.dbUser = dbUser;
    this.dbPassword = dbPassword;
    this.drain = drain;
    createTopics();
    createTable();
    source = producer();
    for (int hop = 1; hop <= HOPS; hop++) {
      startHop(hop);
    }
    startSink();
  }

  /** synchronous_commit, fsync and wal_sync_method of the database the floor commits to. */
  Map<String, String> dbSettings() {
    return dbSettings;
  }

  private void createTopics() throws Exception {
    try (Admin admin = Admin.create(client)) {
      List<NewTopic> topics = new ArrayList<>();
      for (int i = 0; i <= HOPS; i++) {
        topics.add(new NewTopic(PREFIX + i, 1, (short) 1));
      }
      try {
        admin.createTopics(topics).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  private Connection connect() throws Exception {
    Connection c = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
    c.setAutoCommit(false);
    return c;
  }

  private void createTable() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS bench");
      s.execute(
          "CREATE TABLE IF NOT EXISTS bench.bench_floor (id bigserial PRIMARY KEY, step int NOT"
              + " NULL, seq int NOT NULL, hop int NOT NULL, at timestamptz NOT NULL DEFAULT"
              + " now())");
      c.commit();
      for (String setting : List.of("synchronous_commit", "fsync", "wal_sync_method")) {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
          if (rs.next()) {
            dbSettings.put(setting, rs.getString(1));
          }
        }
      }
      c.commit();
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> config = new java.util.HashMap<>(client);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<byte[], byte[]> consumer(String topic, String clientId) {
    Properties props = new Properties();
    props.putAll(client);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    TopicPartition tp = new TopicPartition(topic, 0);
    c.assign(List.of(tp));
    c.seekToEnd(List.of(tp));
    c.position(tp);
    consumers.add(c);
    return c;
  }

  private void startHop(int hop) throws Exception {
    KafkaConsumer<byte[], byte[]> in = consumer(PREFIX + (hop - 1), "bench-floor-hop-" + hop);
    KafkaProducer<byte[], byte[]> out = producer();
    resources.add(out);
    Connection db = hop % 2 == 1 ? connect() : null; // hops 1 and 3 commit
    if (db != null) {
      resources.add(db);
    }
    PreparedStatement insert =
        db == null
            ? null
            : db.prepareStatement(
                "INSERT INTO bench.bench_floor (step, seq, hop) VALUES (?, ?, ?)");
    String next = PREFIX + hop;
    start(
        "bench-floor-hop-" + hop,
        in,
        record -> {
          if (insert != null) {
            ByteBuffer b = ByteBuffer.wrap(record.value());
            insert.setInt(1, b.getInt());
            insert.setInt(2, b.getInt());
            insert.setInt(3, hop);
            insert.executeUpdate();
            db.commit();
          }
          out.send(new ProducerRecord<>(next, record.key(), record.value()));
        });
  }

  private void startSink() {
    KafkaConsumer<byte[], byte[]> in = consumer(PREFIX + HOPS, "bench-floor-sink");
    start(
        "bench-floor-sink",
        in,
        record -> {
          long now = System.nanoTime();
          ByteBuffer b = ByteBuffer.wrap(record.value());
          int step = b.getInt();
          int seq = b.getInt();
          Step s = current;
          if (s != null && s.id == step && seq >= 0 && seq < s.arrived.length) {
            s.arrived[seq] = now;
            s.arrivals.incrementAndGet();
          }
        });
  }

  @FunctionalInterface
  private interface Handler {
    void handle(ConsumerRecord<byte[], byte[]> record) throws Exception;
  }

  private void start(String name, KafkaConsumer<byte[], byte[]> in, Handler handler) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> r : in.poll(Duration.ofMillis(100))) {
                    handler.handle(r);
                  }
                }
              } catch (WakeupException e) {
                // closing
              } catch (Exception e) {
                if (running) {
                  System.err.println(name + " stopped: " + e);
                }
              } finally {
                in.close();
              }
            },
            name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  @Override
  public StepResult run(int n, double rate) throws Exception {
    Step step = new Step(++steps, n);
    current = step;
    AtomicInteger rejected = new AtomicInteger();
    long start = System.nanoTime() + 20_000_000L;
    long last =
        OpenLoop.run(
            n,
            rate,
            start,
            (i, due) -> {
              step.intended[i] = due;
              byte[] value = ByteBuffer.allocate(8).putInt(step.id).putInt(i).array();
              source.send(
                  new ProducerRecord<>(PREFIX + 0, value, value),
                  (meta, error) -> {
                    if (error != null) {
                      rejected.incrementAndGet();
                    }
                  });
            });
    long deadline = last + drain.toNanos();
    while (System.nanoTime() < deadline && step.arrivals.get() + rejected.get() < n) {
      Thread.sleep(5);
    }
    current = null;
    Histogram h = Latency.histogram();
    long lastDone = start;
    int completed = 0;
    for (int i = 0; i < n; i++) {
      if (step.arrived[i] != 0) {
        completed++;
        Latency.record(h, step.intended[i], step.arrived[i]);
        lastDone = Math.max(lastDone, step.arrived[i]);
      }
    }
    Map<String, Latency.Summary> latencies = new LinkedHashMap<>();
    latencies.put(END_TO_END, Latency.Summary.of(h));
    return new StepResult(
        "floor",
        rate,
        n,
        completed,
        0,
        rejected.get(),
        n - completed - rejected.get(),
        StepResult.achieved(completed, start, lastDone),
        (lastDone - start) / 1e9,
        latencies);
  }

  @Override
  public void close() {
    running = false;
    consumers.forEach(KafkaConsumer::wakeup);
    for (Thread t : threads) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    source.close(Duration.ofSeconds(5));
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // best effort
      }
    }
  }
}
