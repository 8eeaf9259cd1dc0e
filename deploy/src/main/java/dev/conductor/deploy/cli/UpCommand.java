package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.deploy.local.Leftovers;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.deploy.local.ManagedProcess;
import dev.conductor.deploy.local.Seed;
import dev.conductor.events.Principals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Starts Kafka, PostgreSQL and the five services (one executor per pool of the workspace document),
 * applies the document's sections (like {@code apply}), runs the demo pipeline and then keeps
 * everything running until Ctrl-C or {@code ./conductor down}, which stop all of it.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = "Starts the local stack, applies the demo workspace, runs a demo pipeline.")
final class UpCommand implements Callable<Integer> {
  /** The label of each console client file: whose it is and what it may do on the bus. */
  private static final Map<String, String> CONSOLE_ROLES =
      Map.of(
          Principals.UPSTREAM, "kafka upstream (triggers)",
          Principals.ANALYST, "kafka analyst (audit)",
          Principals.ADMIN, "kafka admin (every topic)");

  static final String PID_FILE = "conductor.pid";
  static final String SUMMARY = "Conductor is up.";

  @Mixin CommonOptions common;

  @Option(
      names = "-f",
      paramLabel = "FILE",
      description = "Workspace document (default: deploy/local/workspace.yaml).")
  Path file;

  @Option(
      names = "--port-base",
      paramLabel = "PORT",
      defaultValue = "0",
      description =
          "Fixed ports: broker, trigger, scheduler, audit, executors from PORT, Kafka at PORT+20"
              + " (default: free ports).")
  int portBase;

  @Option(
      names = "--heap",
      defaultValue = "200m",
      description = "Heap of each service (${DEFAULT-VALUE}).")
  String heap;

  @Option(
      names = "--demo-pipeline",
      defaultValue = "etl",
      description = "Pipeline of the demo run (${DEFAULT-VALUE}; none to skip).")
  String demoPipeline;

  private final Instant started = Instant.now();
  private volatile boolean stopping;

  @Override
  public Integer call() throws Exception {
    Path repo = CommonOptions.repo();
    Path state = common.state();
    WorkspaceDocument doc =
        WorkspaceDocument.read(
            (file == null ? repo.resolve("deploy/local/workspace.yaml") : file).toAbsolutePath());
    refuseIfRunning(state);
    checkJars(repo);
    freshState(state);

    AtomicReference<LocalStack> stackRef = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stopping = true;
              System.out.println("stopping everything ...");
              LocalStack stack = stackRef.get();
              if (stack != null) {
                stack.close();
              }
              stopDescendants();
              deleteQuietly(state.resolve(PID_FILE));
              System.out.println("stopped.");
              stopped.countDown();
            },
            "conductor-down");
    Runtime.getRuntime().addShutdownHook(hook);
    Files.writeString(state.resolve(PID_FILE), ProcessHandle.current().pid() + "\n");

    progress("state and logs in " + state);
    progress("workspace " + doc.workspace() + " from " + doc.file() + ": pools " + doc.pools());
    LocalStack stack;
    try {
      stack =
          LocalStack.start(
              new LocalStack.Options(
                  repo,
                  state,
                  doc.pools(),
                  heap,
                  doc.slots(),
                  doc.resourceClasses(),
                  doc.seed(),
                  portBase,
                  this::progress),
              stackRef::set);
    } catch (RuntimeException e) {
      if (stopping) {
        System.err.println("interrupted while starting: everything that had started is stopped");
        return 130;
      }
      System.err.println("error: " + Main.message(e));
      System.err.println(
          "everything that had started is stopped; logs are in " + state.resolve("logs"));
      return 1;
    }
    progress("all services are ready");

    Map<String, String> urls = new LinkedHashMap<>();
    Map<String, Long> pids = new LinkedHashMap<>();
    List<String> names = new java.util.ArrayList<>(LocalStack.SERVICES);
    doc.pools().forEach(p -> names.add(LocalStack.executorName(p)));
    names.forEach(n -> urls.put(n, stack.url(n)));
    List<String> ordered = new java.util.ArrayList<>(List.of("kafka", "postgres"));
    ordered.addAll(names);
    for (String n : ordered) {
      ManagedProcess p = stack.process(n);
      if (p != null) {
        pids.put(n, p.pid());
      }
    }
    StackFile stackFile =
        new StackFile(
            ProcessHandle.current().pid(),
            urls,
            stack.bootstrapServers(),
            stack.jdbcUrl(),
            pids,
            stack.seed().file(),
            state.resolve("logs"),
            doc.doc());
    stackFile.write(state.resolve(StackFile.NAME));

    String demoStatus = demo(stackFile, doc);

    Duration took = Duration.between(started, Instant.now());
    System.out.println();
    System.out.println(
        SUMMARY + " (" + took.toSeconds() + " s)  Ctrl-C or ./conductor down stops everything.");
    System.out.println();
    names.forEach(n -> System.out.printf("  %-28s %s%n", n, urls.get(n)));
    System.out.printf("  %-28s %s%n", "kafka bootstrap", stack.bootstrapServers());
    // SASL/SCRAM on the bus: Kafka's own tools need one of these (--command-config and the like).
    for (String principal : LocalStack.CONSOLE_PRINCIPALS) {
      System.out.printf(
          "  %-28s %s%n", CONSOLE_ROLES.get(principal), LocalStack.clientFile(state, principal));
    }
    System.out.printf("  %-28s %s%n", "postgres", stack.jdbcUrl());
    System.out.printf("  %-28s %s%n", "state and logs", state);
    System.out.printf("  %-28s %s%n", "demo run", demoStatus);
    System.out.println();
    String stateOpt = common.stateDir == null ? "" : " --state-dir " + state;
    System.out.println("  follow the audit:   ./conductor audit tail" + stateOpt);
    System.out.println(
        "  or with Kafka's own: bin/kafka-console-consumer.sh --bootstrap-server "
            + stack.bootstrapServers()
            + " --consumer.config "
            + LocalStack.clientFile(state, Principals.ANALYST)
            + " --topic conductor.audit --from-beginning --property print.key=true");
    System.out.println("  a token:            ./conductor token alice" + stateOpt);
    System.out.println(
        "  a run:              ./conductor run demo/etl --env dev -p date="
            + LocalDate.now(ZoneOffset.UTC)
            + stateOpt);
    System.out.println("  what runs:          ./conductor status" + stateOpt);
    System.out.flush();

    // Keep running; the shutdown hook (Ctrl-C, SIGTERM from ./conductor down) stops everything.
    watch(stack, stopped);
    return 0;
  }

  /** Waits for the end; if a process dies on its own, says so (the others keep running). */
  private void watch(LocalStack stack, CountDownLatch stopped) throws InterruptedException {
    Map<String, Boolean> reported = new LinkedHashMap<>();
    while (!stopped.await(2, TimeUnit.SECONDS)) {
      for (Map.Entry<String, ManagedProcess> e : stack.processes().entrySet()) {
        if (!stopping && !e.getValue().alive() && reported.putIfAbsent(e.getKey(), true) == null) {
          System.err.println("warning: " + e.getKey() + " exited" + e.getValue().tail());
        }
      }
    }
  }

  private String demo(StackFile stack, WorkspaceDocument doc) {
    Api api = new Api(stack);
    String ws = doc.workspace();
    progress("applying workspace " + ws + " from " + doc.file());
    Applier.Outcome applied = new Applier(api, stack, Seed.ADMIN, System.out).apply(doc, false);
    if (!applied.ok()) {
      throw new IllegalStateException(
          "the workspace document was refused: " + String.join("; ", applied.problems()));
    }
    progress("applied  workspace " + ws + " (" + applied.changedSections() + " sections changed)");
    if (demoPipeline.equals("none") || !doc.pipelines().containsKey(demoPipeline)) {
      return "none";
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (doc.pipelines().get(demoPipeline).path("parameters").path("properties").has("date")) {
      params.put("date", LocalDate.now(ZoneOffset.UTC).toString());
    }
    String env = doc.pools().get(0);
    String runId = RunFollower.start(api, stack, "alice", ws, demoPipeline, env, params);
    progress("demo run " + runId + " of " + ws + "/" + demoPipeline + " in " + env + " as alice");
    JsonNode run =
        RunFollower.follow(api, stack, "alice", runId, Duration.ofSeconds(120), System.out);
    return ws + "/" + demoPipeline + " run " + runId + " " + run.path("status").asText();
  }

  private void progress(String line) {
    long ms = Duration.between(started, Instant.now()).toMillis();
    System.out.printf("[%5.1fs] %s%n", ms / 1000.0, line);
    System.out.flush();
  }

  private static void refuseIfRunning(Path state) {
    Path pidFile = state.resolve(PID_FILE);
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        throw new IllegalStateException(
            "a stack is already running from "
                + state
                + " (pid "
                + pid
                + "): ./conductor down first");
      }
    } catch (IOException | NumberFormatException e) {
      // a stale or broken pid file: start anew
    }
  }

  private static void checkJars(Path repo) {
    for (String module :
        List.of(
            LocalStack.BROKER,
            LocalStack.TRIGGER,
            LocalStack.SCHEDULER,
            LocalStack.AUDIT,
            LocalStack.EXECUTOR)) {
      Path jar = repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            jar
                + " is missing: run ./conductor up without --no-build, or ./mvnw package -DskipTests");
      }
    }
  }

  /**
   * Each {@code up} starts from empty Kafka and PostgreSQL data in the state dir, after stopping
   * whatever an earlier, killed {@code up} from the same state dir left running.
   */
  private void freshState(Path state) throws IOException {
    Files.createDirectories(state);
    for (String left : Leftovers.stop(state)) {
      progress("stopped " + left + ", left running by an earlier up that was killed");
    }
    for (String dir : List.of("kafka", "postgres", "pool-keys", "logs")) {
      Path path = state.resolve(dir);
      if (Files.exists(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.sorted(Comparator.reverseOrder()).forEach(UpCommand::deleteQuietly);
        }
      }
    }
    deleteQuietly(state.resolve(StackFile.NAME));
  }

  /** Whatever this JVM started and is still alive (a stack stopped while it was starting). */
  private static void stopDescendants() {
    List<ProcessHandle> left = ProcessHandle.current().descendants().toList();
    left.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : left) {
      try {
        p.onExit().get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
