package dev.conductor.embedded;

import dev.conductor.events.Topics;
import dev.conductor.events.Topics.TopicSpec;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM, with
 * every Conductor topic created. No Docker, no ZooKeeper, about two seconds to start.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final String CONTROLLER = "CONTROLLER";
  private static final int NODE_ID = 1;
  private static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaRaftServer server;
  private final Path logDir;
  private final boolean ownsDir;
  private final String bootstrapServers;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafka(
      KafkaRaftServer server, Path logDir, boolean ownsDir, String bootstrapServers) {
    this.server = server;
    this.logDir = logDir;
    this.ownsDir = ownsDir;
    this.bootstrapServers = bootstrapServers;
  }

  /** Starts a broker on free ports in a temp directory, with the topics of {@code pools}. */
  public static EmbeddedKafka start(List<String> pools) {
    return start(0, null, pools);
  }

  /**
   * Starts a broker.
   *
   * @param port the client (PLAINTEXT) port, 0 for a free one
   * @param dir the log directory, kept across restarts; {@code null} for a temp one deleted on
   *     close
   * @param pools the pools whose topics are created besides the shared ones
   */
  public static EmbeddedKafka start(int port, Path dir, List<String> pools) {
    Logs.quietServers();
    boolean ownsDir = dir == null;
    Path logDir = ownsDir ? Dirs.temp("conductor-kafka-") : dir.toAbsolutePath();
    // A port picked as free can be taken before Kafka binds it: retry with new ones then.
    int attempts = port == 0 ? 3 : 1;
    RuntimeException failure = null;
    for (int i = 0; i < attempts; i++) {
      int clientPort = port == 0 ? Ports.free() : port;
      int controllerPort = Ports.free();
      KafkaRaftServer server;
      try {
        server = startServer(logDir, clientPort, controllerPort);
      } catch (RuntimeException e) {
        failure = e;
        continue;
      }
      EmbeddedKafka kafka = new EmbeddedKafka(server, logDir, ownsDir, HOST + ":" + clientPort);
      try {
        createTopics(kafka.bootstrapServers, pools);
        return kafka;
      } catch (RuntimeException e) {
        kafka.close();
        throw e;
      }
    }
    if (ownsDir) {
      Dirs.deleteQuietly(logDir);
    }
    throw new IllegalStateException("Kafka did not start in " + logDir, failure);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  Path logDir() {
    return logDir;
  }

  /** Stops the broker and, when the log directory was a temp one, deletes it. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      if (ownsDir) {
        Dirs.deleteQuietly(logDir);
      }
    }
  }

  /**
   * Creates every topic of {@link Topics#all(List)} on any broker and waits until each has a leader
   * for every partition. Topics that already exist are left as they are, so this can run before
   * every start of a local stack. The replication factor is the broker's default.
   */
  public static void createTopics(String bootstrapServers, List<String> pools) {
    List<TopicSpec> specs = Topics.all(pools);
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "conductor-testkit-topics");
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> topics = new ArrayList<>();
      for (TopicSpec spec : specs) {
        NewTopic topic =
            new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.empty());
        if (spec.logAppendTime()) {
          topic.configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
        }
        topics.add(topic);
      }
      for (Map.Entry<String, KafkaFuture<Void>> created :
          admin.createTopics(topics).values().entrySet()) {
        try {
          created.getValue().get(TOPICS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + created.getKey(), e);
          }
        }
      }
      awaitLeaders(admin, specs.stream().map(TopicSpec::name).collect(Collectors.toSet()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("topics not created within " + TOPICS_TIMEOUT, e);
    }
  }

  /**
   * A created topic is committed on the controller before the broker's metadata catches up; clients
   * that start right after this returns must find every partition led.
   */
  private static void awaitLeaders(Admin admin, Set<String> names) throws InterruptedException {
    long deadline = System.nanoTime() + TOPICS_TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
        boolean led =
            described.values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (led && described.keySet().containsAll(names)) {
          return;
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        last = e; // typically UnknownTopicOrPartition until metadata propagates
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("topics have no leader after " + TOPICS_TIMEOUT, last);
  }

  private static KafkaRaftServer startServer(Path logDir, int clientPort, int controllerPort) {
    KafkaConfig config =
        new KafkaConfig(brokerProperties(logDir, clientPort, controllerPort), false);
    format(logDir);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      // Returns once the broker is unfenced, i.e. ready for clients.
      server.startup();
    } catch (RuntimeException e) {
      server.shutdown();
      server.awaitShutdown();
      throw e;
    }
    return server;
  }

  /**
   * Writes meta.properties and the bootstrap metadata; a no-op on an already formatted dir. The
   * formatter's own "ignore formatted" still left a second cluster id behind, and a restart on the
   * same directory then refused to start ("Invalid cluster.id"): a formatted dir is left alone.
   */
  private static void format(Path logDir) {
    if (java.nio.file.Files.exists(logDir.resolve("meta.properties"))) {
      return;
    }
    Formatter formatter =
        new Formatter()
            .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
            .setNodeId(NODE_ID)
            .setClusterId(Uuid.randomUuid().toString())
            .setDirectories(List.of(logDir.toString()))
            .setMetadataLogDirectory(logDir.toString())
            .setControllerListenerName(CONTROLLER)
            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
            .setIgnoreFormatted(true);
    try {
      formatter.run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + logDir, e);
    }
  }

  static Properties brokerProperties(Path logDir, int clientPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://"
            + HOST
            + ":"
            + clientPort
            + ","
            + CONTROLLER
            + "://"
            + HOST
            + ":"
            + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // One node: every internal topic must be satisfiable with a single replica.
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Fewer internal partitions: the first consumer group joins faster, same semantics.
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.num.partitions", "4");
    // The default 128 MiB dedupe buffer would not fit a 256 MiB heap; Kafka wants more than 1 MiB.
    p.put("log.cleaner.dedupe.buffer.size", "2097152");
    // Production brokers refuse unknown topics too: a typo must fail in tests, not create one.
    p.put("auto.create.topics.enable", "false");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "1");
    // Sized for a 2-core machine that also runs the services under test.
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("background.threads", "2");
    return p;
  }
}
