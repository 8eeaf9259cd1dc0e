package dev.conductor.deploy.local;

import dev.conductor.embedded.BusSecrets;
import dev.conductor.embedded.PoolKeys;
import dev.conductor.events.Principals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Kafka, PostgreSQL and the five services as separate OS processes on free loopback ports, wired
 * together the way an operator would: the broker is the issuer and the access check, each service
 * has its own client credentials, each pool its own executor and key pair. Used by the E2E suite
 * (and by the local runner). Closing it stops every process it started.
 */
public final class LocalStack implements AutoCloseable {
  public static final String BROKER = "identity-broker";
  public static final String TRIGGER = "trigger-service";
  public static final String SCHEDULER = "scheduler-service";
  public static final String AUDIT = "audit-service";
  public static final String EXECUTOR = "executor-service";
  public static final List<String> SERVICES = List.of(BROKER, TRIGGER, SCHEDULER, AUDIT);

  /** The audience of tokens for Conductor's REST API. */
  public static final String API_AUDIENCE = "conductor";

  /** The audience of tokens on {@code conductor.triggers}: never accepted by the API. */
  public static final String TRIGGERS_AUDIENCE = "conductor-triggers";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  private static final int COMMON_POOL = Math.max(2, Runtime.getRuntime().availableProcessors());
  private static final Pattern KAFKA_READY = Pattern.compile("KAFKA READY (\\S+)");
  private static final String PASSWORDS = "passwords.properties";

  /** The outside principals `up` writes console client files for: producers, analysts, ops. */
  public static final List<String> CONSOLE_PRINCIPALS =
      List.of(Principals.UPSTREAM, Principals.ANALYST, Principals.ADMIN);

  private static final Pattern POSTGRES_READY = Pattern.compile("POSTGRES READY (\\S+)");

  /**
   * What to start. {@code repo} is the checkout whose {@code <service>/target/quarkus-app} jars
   * run; {@code heap} caps every JVM (e.g. {@code 200m}); {@code slots} per pool executor (absent:
   * the executor's default); {@code resourceClasses} for the scheduler ({@code smallrc:1,...},
   * null: its default); {@code seed} the principals and assignments (null: {@link
   * Seed.Spec#demo()}); {@code portBase} 0 for free ports, else broker, trigger, scheduler, audit,
   * executors from there and Kafka at {@code portBase + 20}; {@code progress} hears what is
   * starting and what is ready; {@code durableDatabase} runs the embedded PostgreSQL with {@code
   * fsync} and {@code synchronous_commit} on, as production does (the benchmark), instead of the
   * test kit's fast settings.
   */
  public record Options(
      Path repo,
      Path stateDir,
      List<String> pools,
      String heap,
      Map<String, Integer> slots,
      String resourceClasses,
      Seed.Spec seed,
      int portBase,
      Consumer<String> progress,
      boolean durableDatabase) {
    public Options {
      // Services run in their own directories (see serviceCommand): every path handed to them
      // must not depend on the working directory.
      repo = repo.toAbsolutePath().normalize();
      stateDir = stateDir.toAbsolutePath().normalize();
      pools = List.copyOf(pools);
      slots = slots == null ? Map.of() : Map.copyOf(slots);
      progress = progress == null ? line -> {} : progress;
    }

    public Options(
        Path repo,
        Path stateDir,
        List<String> pools,
        String heap,
        Map<String, Integer> slots,
        String resourceClasses,
        Seed.Spec seed,
        int portBase,
        Consumer<String> progress) {
      this(repo, stateDir, pools, heap, slots, resourceClasses, seed, portBase, progress, false);
    }

    public Options(Path repo, Path stateDir, List<String> pools, String heap) {
      this(repo, stateDir, pools, heap, Map.of(), null, null, 0, null);
    }
  }

  private final Options options;
  private final List<ManagedProcess> processes = new ArrayList<>();
  private final Map<String, String> urls = new LinkedHashMap<>();
  private final Map<String, ManagedProcess> byName = new LinkedHashMap<>();
  private final Map<String, List<String>> commands = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> environments = new LinkedHashMap<>();
  private final Map<String, Duration> readyAfter = new LinkedHashMap<>();
  private final Map<String, String> executorPools = new LinkedHashMap<>();
  private final Map<String, Integer> executorSlots = new LinkedHashMap<>();
  private Map<String, Path> poolKeys = Map.of();
  private Seed seed;
  private BusSecrets bus;
  private volatile boolean closed;
  private String bootstrap;
  private String jdbcUrl;
  private String dbUser = "postgres";
  private String dbPassword = "postgres";

  private LocalStack(Options options) {
    this.options = options;
  }

  /** Starts everything and waits until every service is ready; stops all on failure. */
  public static LocalStack start(Options options) {
    return start(options, stack -> {});
  }

  /**
   * Starts everything; {@code created} gets the stack before anything starts, so that a caller can
   * close it from elsewhere (a shutdown hook on Ctrl-C) while it is still starting.
   */
  public static LocalStack start(Options options, Consumer<LocalStack> created) {
    LocalStack stack = new LocalStack(options);
    created.accept(stack);
    try {
      stack.startAll();
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startAll() {
    Path state = options.stateDir();
    Path logs = state.resolve("logs");
    List<String> names = new ArrayList<>(SERVICES);
    options.pools().forEach(p -> names.add(executorName(p)));
    options.pools().forEach(p -> executorPools.put(executorName(p), p));
    int kafkaPort = 0;
    if (options.portBase() > 0) {
      int port = options.portBase();
      for (String name : names) {
        urls.put(name, "http://127.0.0.1:" + requireFree(port++, name));
      }
      kafkaPort = requireFree(options.portBase() + 20, "kafka");
    } else {
      List<Integer> ports = ServicePorts.pick(names.size());
      for (int i = 0; i < names.size(); i++) {
        urls.put(names.get(i), "http://127.0.0.1:" + ports.get(i));
      }
    }
    int kafkaListen = kafkaPort;
    bus = BusSecrets.loadOrCreate(kafkaDir(state).resolve(PASSWORDS), options.pools());
    progress("starting kafka and postgres");
    CompletableFuture<Void> infra =
        CompletableFuture.allOf(
            CompletableFuture.runAsync(() -> startKafka(state, logs, kafkaListen)),
            CompletableFuture.runAsync(() -> startPostgres(state, logs, 0)));
    poolKeys = PoolKeys.generate(state.resolve("pool-keys"), options.pools());
    List<String> clients = new ArrayList<>(SERVICES);
    seed =
        Seed.write(
            state,
            clients,
            options.pools(),
            options.seed() == null ? Seed.Spec.demo() : options.seed());
    join(infra);

    for (String name : names) {
      commands.put(name, serviceCommand(name));
    }
    Instant launched = Instant.now();
    for (String name : names) {
      progress("starting " + name + " at " + urls.get(name));
      startService(name);
    }
    for (String name : names) {
      byName.get(name).awaitHttpOk(urls.get(name) + "/q/health/ready", START_TIMEOUT);
      readyAfter.put(name, Duration.between(launched, Instant.now()));
      progress(
          "ready    " + name + " (after " + readyAfter.get(name).toMillis() / 100 / 10.0 + " s)");
    }
  }

  private void progress(String line) {
    options.progress().accept(line);
  }

  private static int requireFree(int port, String what) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return port;
    } catch (IOException e) {
      throw new IllegalStateException(
          "port "
              + port
              + " (for "
              + what
              + ") is in use: choose another --port-base or stop"
              + " whatever listens there");
    }
  }

  /** The seed written for this stack (its client secrets). */
  public Seed seed() {
    return seed;
  }

  private void startKafka(Path state, Path logs, int port) {
    Path data = kafkaDir(state).resolve("data");
    if (Files.exists(kafkaDir(state).resolve("meta.properties"))) {
      // Before the bus required SASL, Kafka's data lay here; its broker cannot log in to itself.
      progress(
          "the bus's data in " + kafkaDir(state) + " predates its SASL login: starting afresh");
      deleteAllBut(kafkaDir(state), kafkaDir(state).resolve(PASSWORDS));
    }
    ManagedProcess kafka =
        track(
            "kafka",
            ManagedProcess.start(
                "kafka",
                javaCommand(
                    "256m",
                    List.of(
                        "dev.conductor.embedded.KafkaMain",
                        "--port",
                        String.valueOf(port),
                        "--dir",
                        data.toString(),
                        "--pools",
                        String.join(",", options.pools()),
                        "--secrets",
                        kafkaDir(state).resolve(PASSWORDS).toString())),
                logs.resolve("kafka.log")));
    bootstrap = kafka.awaitLine(KAFKA_READY, START_TIMEOUT);
    // Ready-made client settings for Kafka's own console tools, one per outside principal.
    for (String principal : CONSOLE_PRINCIPALS) {
      bus.writeClientFile(clientFile(state, principal), bootstrap, principal);
    }
    progress("ready    kafka at " + bootstrap);
  }

  private void startPostgres(Path state, Path logs, int port) {
    String external = System.getenv("CONDUCTOR_DB_URL");
    if (external != null && !external.isBlank()) {
      jdbcUrl = external;
      dbUser = System.getenv().getOrDefault("CONDUCTOR_DB_USER", "postgres");
      dbPassword = System.getenv().getOrDefault("CONDUCTOR_DB_PASSWORD", "");
      return;
    }
    ManagedProcess postgres =
        track(
            "postgres",
            ManagedProcess.start(
                "postgres",
                javaCommand(
                    "64m",
                    List.of(
                        "dev.conductor.embedded.PostgresMain",
                        "--port",
                        String.valueOf(port),
                        "--dir",
                        state.resolve("postgres").toString(),
                        "--durable",
                        String.valueOf(options.durableDatabase()))),
                logs.resolve("postgres.log")));
    jdbcUrl = postgres.awaitLine(POSTGRES_READY, START_TIMEOUT);
    progress("ready    postgres at " + jdbcUrl);
  }

  /**
   * Starts one more executor of {@code pool}, with {@code slots} (same client credentials and pool
   * key as the pool's first: executors of a pool share them) and waits until it is ready; returns
   * its name, which is also its executor id.
   */
  public String addExecutor(String pool, int slots) {
    if (!options.pools().contains(pool)) {
      throw new IllegalArgumentException("pool " + pool + " is not one of " + options.pools());
    }
    String name =
        executorName(pool)
            + "-"
            + (1 + executorPools.values().stream().filter(pool::equals).count());
    executorPools.put(name, pool);
    executorSlots.put(name, slots);
    urls.put(name, "http://127.0.0.1:" + ServicePorts.pick(1).get(0));
    commands.put(name, serviceCommand(name));
    progress("starting " + name + " at " + urls.get(name));
    startService(name);
    awaitReady(name);
    return name;
  }

  /** Where a service's packaged application is, and where it runs. */
  private Path serviceDirectory(String name) {
    String module = name.startsWith(EXECUTOR) ? EXECUTOR : name;
    return options.repo().resolve(module).resolve("target/quarkus-app");
  }

  private List<String> serviceCommand(String name) {
    Path jar = serviceDirectory(name).resolve("quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with ./mvnw package first");
    }
    String broker = urls.get(BROKER);
    String clientId = name.startsWith(EXECUTOR) ? "executor-" + pool(name) : name;
    Map<String, String> props = new LinkedHashMap<>();
    props.put("quarkus.http.port", port(urls.get(name)));
    props.put("quarkus.http.host", "127.0.0.1");
    props.put("kafka.bootstrap.servers", bootstrap);
    // Loopback only: SASL without TLS (production uses SASL_SSL, the services' default).
    props.put("kafka.security.protocol", "SASL_PLAINTEXT");
    props.put("quarkus.datasource.jdbc.url", jdbcUrl);
    props.put("quarkus.datasource.reactive.url", jdbcUrl.substring("jdbc:".length()));
    props.put("quarkus.datasource.username", dbUser);
    props.put("conductor.auth.issuers", broker);
    props.put("conductor.access.url", broker);
    props.put("conductor.client.token-url", broker + "/oauth2/token");
    props.put("conductor.client.id", clientId);
    if (name.equals(BROKER)) {
      props.put("conductor.broker.issuer", broker);
      props.put("conductor.broker.seed-file", seed.file().toString());
      for (String pool : options.pools()) {
        props.put(
            "conductor.broker.pool-keys." + pool,
            PoolKeys.publicFile(poolKeys.get(pool).getParent(), pool).toString());
      }
    }
    if (name.startsWith(EXECUTOR)) {
      props.put("conductor.executor.pool", pool(name));
      props.put("conductor.executor.id", name);
      props.put("conductor.executor.private-key-file", poolKeys.get(pool(name)).toString());
      props.put("conductor.scheduler.url", urls.get(SCHEDULER));
      Integer slots = executorSlots.getOrDefault(name, options.slots().get(pool(name)));
      if (slots != null) {
        props.put("conductor.executor.slots", String.valueOf(slots));
      }
    }
    if (name.equals(SCHEDULER)) {
      // The initial pools section (stored on first start; `up` applies the document's afterwards).
      props.put("conductor.scheduler.pools", String.join(",", options.pools()));
    }
    if (name.equals(SCHEDULER) && options.resourceClasses() != null) {
      props.put("conductor.scheduler.resource-classes", options.resourceClasses());
    }
    // Secrets travel in the environment (Quarkus maps it to the same keys), so `ps` shows none.
    environments.put(
        name,
        Map.of(
            "QUARKUS_DATASOURCE_PASSWORD",
            dbPassword,
            "CONDUCTOR_CLIENT_SECRET",
            seed.secret(clientId),
            "CONDUCTOR_KAFKA_PASSWORD",
            bus.password(name.startsWith(EXECUTOR) ? Principals.executor(pool(name)) : name),
            // Two malloc arenas, not eight per core: fewer half-empty arenas at idle (3-5 MiB).
            "MALLOC_ARENA_MAX",
            "2"));
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-Xmx" + options.heap());
    // Memory at idle (RSS per service after `up`'s demo was 205-238 MiB): the heap started at all
    // of -Xmx (the default, 1/64 of RAM, is larger); now it starts at 32 MiB and grows with the
    // load. Tighter free ratios kept it smaller still but cost a fifth of the benchmark's
    // throughput in collections. The C library's heap gives back what start-up freed (~5 MiB).
    command.add("-Xms32m");
    command.add("-XX:TrimNativeHeapInterval=30000");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:+ExitOnOutOfMemoryError");
    // On one or two cores the common pool has a parallelism of 1, and CompletableFuture then runs
    // every async step on a new thread: the JDK's HttpClient completes each sendAsync that way, so
    // every claim and access check started and tore down a thread.
    command.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + COMMON_POOL);
    command.add("-XX:TieredStopAtLevel=1");
    // The class-data archive Quarkus built beside the jar (see the services' README): classes
    // come mapped and verified, not parsed. It names the jar relative to its directory, so the
    // service runs there with the jar's relative name; without the archive nothing changes.
    Path classArchive = jar.resolveSibling("app-cds.jsa");
    if (Files.exists(classArchive)) {
      command.add("-XX:SharedArchiveFile=" + classArchive);
    }
    // Last, so that they win: an operator's own JVM options for every service.
    String extra = System.getenv("CONDUCTOR_SERVICE_JAVA_OPTIONS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    props.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-jar");
    command.add(jar.getFileName().toString());
    return command;
  }

  /** Starts (or restarts, after {@link #stop}) one service process. */
  public void startService(String name) {
    List<String> command = commands.get(name);
    ManagedProcess process =
        ManagedProcess.start(
            name,
            command,
            environments.get(name),
            serviceDirectory(name),
            options.stateDir().resolve("logs/" + name + ".log"));
    track(name, process);
  }

  /**
   * Starts one more {@code name} beside the stack as production would start it: this stack's
   * settings and environment, but without the {@code settings} and {@code environment} variables
   * named (what the runner provides, such as secrets), and on a port of its own. It shares the
   * stack's database and broker; the caller stops it. For checking that a service refuses to start
   * without what it needs.
   */
  public ManagedProcess startWithout(
      String name, java.util.Set<String> settings, java.util.Set<String> environment) {
    List<String> command = new ArrayList<>();
    for (String arg : commands.get(name)) {
      String key =
          arg.startsWith("-D") && arg.contains("=") ? arg.substring(2, arg.indexOf('=')) : "";
      if (!settings.contains(key)) {
        command.add(
            key.equals("quarkus.http.port")
                ? "-Dquarkus.http.port=" + ServicePorts.pick(1).get(0)
                : arg);
      }
    }
    Map<String, String> env = new LinkedHashMap<>(environments.get(name));
    env.keySet().removeAll(environment);
    return ManagedProcess.start(
        name + "-without",
        command,
        env,
        serviceDirectory(name),
        options.stateDir().resolve("logs/" + name + "-without-" + System.nanoTime() + ".log"));
  }

  /** Waits until a (re)started service is ready. */
  public void awaitReady(String name) {
    byName.get(name).awaitHttpOk(urls.get(name) + "/q/health/ready", START_TIMEOUT);
  }

  /**
   * Stops Kafka or the embedded PostgreSQL (SIGTERM) and starts it again on the same port with the
   * same data, as an operator's restart would; returns once it is ready. For tests that a restart
   * under load loses nothing.
   */
  public void restartInfrastructure(String name) {
    Path state = options.stateDir();
    Path logs = state.resolve("logs");
    switch (name) {
      case "kafka" -> {
        int port = portOf(bootstrap);
        stop(name);
        startKafka(state, logs, port);
      }
      case "postgres" -> {
        if (!byName.containsKey(name)) {
          throw new IllegalStateException("PostgreSQL is external here: " + jdbcUrl);
        }
        int port = portOf(jdbcUrl.substring(jdbcUrl.indexOf("//") + 2));
        stop(name);
        startPostgres(state, logs, port);
      }
      default -> throw new IllegalArgumentException(name + " is not kafka or postgres");
    }
  }

  private static int portOf(String hostPortPath) {
    String hostPort = hostPortPath.split("/")[0];
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** Stops one service process, e.g. to test that a crash loses nothing. */
  public void stop(String name) {
    ManagedProcess process = byName.remove(name);
    if (process != null) {
      processes.remove(process);
      process.close();
    }
  }

  private synchronized ManagedProcess track(String name, ManagedProcess process) {
    if (closed) {
      process.close();
      throw new IllegalStateException("stopped while starting " + name);
    }
    processes.add(process);
    byName.put(name, process);
    Leftovers.record(options.stateDir(), name, process.pid());
    return process;
  }

  public String url(String service) {
    return urls.get(service);
  }

  public static String executorName(String pool) {
    return EXECUTOR + "-" + pool;
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  /** Client settings to reach this stack's Kafka as {@code principal} (a {@link Principals}). */
  public Map<String, Object> kafkaClient(String principal) {
    return bus.client(bootstrap, principal);
  }

  /** This stack's console client file for {@code principal} ({@link #clientFile(Path, String)}). */
  public Path clientFile(String principal) {
    return clientFile(options.stateDir(), principal);
  }

  /** The principals' passwords of this stack's bus. */
  public BusSecrets busSecrets() {
    return bus;
  }

  /**
   * {@code <state>/kafka/<principal>.properties}: client settings for Kafka's own console tools,
   * written for {@link #CONSOLE_PRINCIPALS} when Kafka is ready (this user only may read them).
   */
  public static Path clientFile(Path state, String principal) {
    return kafkaDir(state).resolve(principal + ".properties");
  }

  private static Path kafkaDir(Path state) {
    return state.resolve("kafka");
  }

  /** Deletes everything under {@code dir} except the file {@code keep}. */
  private static void deleteAllBut(Path dir, Path keep) {
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir) && !p.equals(keep)) {
          Files.delete(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the old bus data in " + dir, e);
    }
  }

  /** The pools this stack runs executors (and has topics) for. */
  public List<String> pools() {
    return options.pools();
  }

  /** The file of {@code pool}'s private key, which only that pool's executors read. */
  public Path poolPrivateKey(String pool) {
    return poolKeys.get(pool);
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String dbUser() {
    return dbUser;
  }

  public String dbPassword() {
    return dbPassword;
  }

  /**
   * One line per process: pid, resident memory and (for services) the time from launch until it was
   * ready. The services start together on a small machine, so a time includes waiting for the CPU;
   * it is an upper bound for one service alone.
   */
  public String report() {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, ManagedProcess> e : byName.entrySet()) {
      Duration ready = readyAfter.get(e.getKey());
      out.append(
          String.format(
              "%-28s pid %-7d rss %4d MiB%s%n",
              e.getKey(),
              e.getValue().pid(),
              e.getValue().rssMib(),
              ready == null ? "" : "  ready after " + ready.toMillis() + " ms"));
    }
    return out.toString();
  }

  public ManagedProcess process(String name) {
    return byName.get(name);
  }

  public Map<String, ManagedProcess> processes() {
    return Map.copyOf(byName);
  }

  /** A token for a seeded principal from the broker's client-credentials endpoint. */
  public String token(String clientId) {
    return token(clientId, API_AUDIENCE);
  }

  /** A token for {@code conductor.triggers}, whose audience is the triggers' own. */
  public String triggerToken(String clientId) {
    return token(clientId, TRIGGERS_AUDIENCE);
  }

  private String token(String clientId, String audience) {
    String form =
        "grant_type=client_credentials&audience="
            + URLEncoder.encode(audience, StandardCharsets.UTF_8)
            + "&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(seed.secret(clientId), StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(urls.get(BROKER) + "/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("token endpoint answered " + response.statusCode());
      }
      var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
      return json.path("access_token").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    List<ManagedProcess> reverse;
    synchronized (this) {
      closed = true;
      reverse = new ArrayList<>(processes);
    }
    java.util.Collections.reverse(reverse);
    // Services first (in parallel), then Kafka and PostgreSQL.
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (ManagedProcess p : reverse) {
      if (!p.name().equals("kafka") && !p.name().equals("postgres")) {
        stops.add(CompletableFuture.runAsync(p::close));
      }
    }
    stops.forEach(CompletableFuture::join);
    for (ManagedProcess p : reverse) {
      if (p.name().equals("kafka") || p.name().equals("postgres")) {
        p.close();
      }
    }
    synchronized (this) {
      processes.clear();
      byName.clear();
    }
  }

  private List<String> javaCommand(String heap, List<String> mainAndArgs) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-Xmx" + heap);
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(mainAndArgs);
    return command;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private String pool(String executorName) {
    return executorPools.get(executorName);
  }

  private static String port(String url) {
    return url.substring(url.lastIndexOf(':') + 1);
  }

  private static void join(CompletableFuture<Void> future) {
    try {
      future.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
