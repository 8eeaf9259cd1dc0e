package dev.conductor.embedded;

import dev.conductor.events.Principals;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM, with
 * the bus {@linkplain Bus provisioned}: every principal's SCRAM credentials, every Conductor topic
 * and its ACLs. No Docker, no ZooKeeper, about two seconds to start.
 *
 * <p>Clients connect with SASL/SCRAM-SHA-512 over SASL_PLAINTEXT, bound to the loopback interface
 * only (a production bus uses SASL_SSL). The broker authorizes every request (StandardAuthorizer,
 * deny when no ACL matches). The controller listener, which only this node itself reaches, uses
 * SASL/PLAIN with a password made up at each start: KRaft cannot check SCRAM there, since SCRAM
 * credentials live in the very metadata log the controller serves.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final String CONTROLLER = "CONTROLLER";
  private static final String CLIENTS = "SASL_PLAINTEXT";
  private static final int NODE_ID = 1;

  private final KafkaRaftServer server;
  private final Path logDir;
  private final boolean ownsDir;
  private final String bootstrapServers;
  private final BusSecrets secrets;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafka(
      KafkaRaftServer server,
      Path logDir,
      boolean ownsDir,
      String bootstrapServers,
      BusSecrets secrets) {
    this.server = server;
    this.logDir = logDir;
    this.ownsDir = ownsDir;
    this.bootstrapServers = bootstrapServers;
    this.secrets = secrets;
  }

  /** Starts a broker on free ports in a temp directory, with the bus of {@code pools}. */
  public static EmbeddedKafka start(List<String> pools, BusSecrets secrets) {
    return start(0, null, pools, secrets);
  }

  /**
   * Starts a broker.
   *
   * @param port the client (PLAINTEXT) port, 0 for a free one
   * @param dir the log directory, kept across restarts; {@code null} for a temp one deleted on
   *     close
   * @param pools the pools whose topics are created besides the shared ones
   * @param secrets the principals' passwords (the admin's is the broker's own)
   */
  public static EmbeddedKafka start(int port, Path dir, List<String> pools, BusSecrets secrets) {
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
        server = startServer(logDir, clientPort, controllerPort, secrets);
      } catch (RuntimeException e) {
        failure = e;
        continue;
      }
      EmbeddedKafka kafka =
          new EmbeddedKafka(server, logDir, ownsDir, HOST + ":" + clientPort, secrets);
      try {
        kafka.provision(pools);
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

  public BusSecrets secrets() {
    return secrets;
  }

  /** Client settings to connect as {@code principal}. */
  public Map<String, Object> client(String principal) {
    return secrets.client(bootstrapServers, principal);
  }

  /** Provisions the bus for {@code pools} (again): credentials, topics and ACLs; idempotent. */
  public void provision(List<String> pools) {
    Map<String, Object> props = new java.util.HashMap<>(client(Principals.ADMIN));
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "conductor-bus-provisioner");
    try (Admin admin = Admin.create(props)) {
      Bus.provision(admin, pools, secrets);
    }
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

  private static KafkaRaftServer startServer(
      Path logDir, int clientPort, int controllerPort, BusSecrets secrets) {
    KafkaConfig config =
        new KafkaConfig(brokerProperties(logDir, clientPort, controllerPort, secrets), false);
    format(logDir, secrets);
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
  private static void format(Path logDir, BusSecrets secrets) {
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
            // The admin's credentials are in the metadata from the start: the broker logs in to
            // itself with them before anything else could create them.
            .setScramArguments(
                List.of(
                    BusSecrets.MECHANISM
                        + "=[name="
                        + Principals.ADMIN
                        + ",password="
                        + secrets.password(Principals.ADMIN)
                        + "]"))
            .setIgnoreFormatted(true);
    try {
      formatter.run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + logDir, e);
    }
  }

  static Properties brokerProperties(
      Path logDir, int clientPort, int controllerPort, BusSecrets secrets) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put(
        "listeners",
        CLIENTS
            + "://"
            + HOST
            + ":"
            + clientPort
            + ","
            + CONTROLLER
            + "://"
            + HOST
            + ":"
            + controllerPort);
    p.put("advertised.listeners", CLIENTS + "://" + HOST + ":" + clientPort);
    p.put(
        "listener.security.protocol.map",
        CLIENTS + ":SASL_PLAINTEXT," + CONTROLLER + ":SASL_PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER);
    p.put("inter.broker.listener.name", CLIENTS);
    // Clients, and the broker to itself: SCRAM-SHA-512 as the admin.
    p.put("sasl.enabled.mechanisms", BusSecrets.MECHANISM);
    p.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", BusSecrets.MECHANISM);
    p.put("sasl.mechanism.inter.broker.protocol", BusSecrets.MECHANISM);
    p.put(
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
        secrets.jaas(Principals.ADMIN));
    // The broker to its own controller: PLAIN, with a password that lives as long as this process.
    String controllerPassword = Uuid.randomUuid().toString();
    p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    p.put("sasl.mechanism.controller.protocol", "PLAIN");
    p.put(
        "listener.name.controller.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"controller\""
            + " password=\""
            + controllerPassword
            + "\" user_controller=\""
            + controllerPassword
            + "\";");
    // Every request is authorized; nothing is allowed that no ACL allows.
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("allow.everyone.if.no.acl.found", "false");
    p.put("super.users", "User:" + Principals.ADMIN + ";User:controller");
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
