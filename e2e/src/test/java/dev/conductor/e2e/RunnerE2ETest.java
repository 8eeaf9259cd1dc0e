package dev.conductor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local runner as a user runs it: {@code ./conductor up --no-build} from the packaged jars on
 * free ports (an OS process), then {@code run}, {@code token}, {@code status}, {@code apply} (dry
 * runs, changes that decide who may run what, refused documents) against it, and {@code down},
 * after which no process it started is left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunnerE2ETest {
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

  private static Path repo;
  private static Path state;
  private static Path upLog;
  private static Path freshTmp;
  private static Process up;
  private static boolean killedMidUnpack;

  record Result(int exit, String output) {}

  /**
   * A new user's first start: every JVM gets an empty temp directory (where the PostgreSQL binaries
   * are unpacked) and the heaps the runner gives. The first {@code up} is killed, with every
   * process it started, while PostgreSQL's binaries are being unpacked; the second must not trip
   * over what the first left and must come up with the demo run succeeded.
   */
  @BeforeAll
  static void up() throws Exception {
    repo = Path.of(System.getProperty("conductor.repo", "..")).toAbsolutePath().normalize();
    state =
        Path.of(System.getProperty("conductor.state", "target/e2e-state"))
            .toAbsolutePath()
            .resolve("runner-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectories(state);
    freshTmp = Files.createDirectories(state.resolveSibling(state.getFileName() + "-tmp"));
    upLog = state.resolveSibling(state.getFileName() + "-up.log");

    Process interrupted = startUp(state.resolveSibling(state.getFileName() + "-up-killed.log"));
    try {
      Awaitility.await("the first up unpacks the PostgreSQL binaries")
          .atMost(UP_TIMEOUT)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> unpackStarted(freshTmp) || !interrupted.isAlive());
    } finally {
      List<ProcessHandle> tree = interrupted.descendants().toList();
      interrupted.destroyForcibly();
      tree.forEach(ProcessHandle::destroyForcibly);
      interrupted.waitFor(30, TimeUnit.SECONDS);
    }
    killedMidUnpack = stagingLeft(freshTmp);

    up = startUp(upLog);
    Instant deadline = Instant.now().plus(UP_TIMEOUT);
    while (!upOutput().contains("Conductor is up.")) {
      if (!up.isAlive()) {
        throw new AssertionError(
            "./conductor up exited with " + up.exitValue() + ":\n" + upOutput());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("./conductor up was not up in " + UP_TIMEOUT + ":\n" + upOutput());
      }
      Thread.sleep(500);
    }
    // The summary is printed in one go; give it a moment to be complete.
    Thread.sleep(500);
  }

  /** {@code ./conductor up} with every JVM it starts on the fresh temp directory. */
  private static Process startUp(Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command("up"))
            .directory(repo.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + freshTmp);
    return builder.start();
  }

  /** Whether an unpack was cut short: its private staging folder is still there. */
  private static boolean stagingLeft(Path tmp) throws IOException {
    Path unpacked = tmp.resolve("conductor-pg");
    if (!Files.isDirectory(unpacked)) {
      return false;
    }
    try (Stream<Path> folders = Files.list(unpacked)) {
      return folders.anyMatch(p -> p.getFileName().toString().startsWith(".staging-"));
    }
  }

  /** Whether any PostgreSQL file has been written below the temp directory yet. */
  private static boolean unpackStarted(Path tmp) throws IOException {
    try (Stream<Path> paths = Files.walk(tmp)) {
      return paths.anyMatch(p -> p.toString().contains("share/postgresql"));
    } catch (java.io.UncheckedIOException e) {
      return false; // a folder renamed or deleted while walking
    }
  }

  @AfterAll
  static void stopWhatIsLeft() {
    if (up != null && up.isAlive()) {
      try {
        conductor("down");
      } catch (RuntimeException e) {
        // fall through to killing the tree
      }
    }
    if (up != null && up.isAlive()) {
      List<ProcessHandle> tree = up.descendants().toList();
      up.destroyForcibly();
      tree.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  @Order(0)
  void aFirstStartKilledWhileUnpackingDoesNotPoisonTheNext() throws IOException {
    assertThat(killedMidUnpack)
        .as("the first up was killed while it unpacked PostgreSQL (its staging folder is left)")
        .isTrue();
    assertThat(upOutput()).containsPattern("demo run +demo/etl run \\S+ succeeded");
    try (Stream<Path> unpacked = Files.list(freshTmp.resolve("conductor-pg"))) {
      assertThat(unpacked.map(p -> p.getFileName().toString()))
          .as("one complete copy beside the killed start's staging folder")
          .filteredOn(n -> n.startsWith("PG-"))
          .hasSize(1);
    }
  }

  @Test
  @Order(1)
  void upPrintsTheUrlsAndTheDemoRunSucceeded() throws Exception {
    String out = upOutput();
    assertThat(out)
        .contains("ready    kafka at", "ready    postgres at", "ready    identity-broker")
        .contains("applied  workspace demo")
        .contains("identities (identity-broker): 1 change", "+ etl-bot")
        .contains("assignments (identity-broker): 4 changes")
        .contains("pipelines (trigger-service): 2 changes", "+ etl", "+ hello")
        .contains("kafka bootstrap", "./conductor audit tail", "kafka-console-consumer.sh")
        .containsPattern("demo run +demo/etl run \\S+ succeeded");
    // Ready client files for Kafka's own tools, printed and readable by their owner only.
    for (String principal : List.of("upstream", "analyst", "admin")) {
      Path file = state.resolve("kafka").resolve(principal + ".properties");
      assertThat(out).contains(file.toString());
      // A properties file escapes the "=" inside the JAAS value.
      assertThat(file).content().contains("SCRAM-SHA-512", "username\\=\"" + principal + "\"");
      assertThat(java.nio.file.Files.getPosixFilePermissions(file))
          .containsExactlyInAnyOrder(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
    for (String service :
        List.of(
            "identity-broker",
            "trigger-service",
            "scheduler-service",
            "audit-service",
            "executor-service-dev",
            "executor-service-test",
            "executor-service-prod")) {
      assertThat(out).containsPattern(service + " +http://127\\.0\\.0\\.1:\\d+");
    }
    assertThat(state.resolve("stack.json")).isRegularFile();
  }

  @Test
  @Order(2)
  void runFollowsAPipelineToItsEnd() {
    Result run = conductor("run", "demo/hello", "--env", "dev");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("step hello: succeeded")
        .containsPattern("run \\S+ succeeded");
  }

  @Test
  @Order(3)
  void tokenPrintsAJwtOfTheLocalIssuer() {
    Result token = conductor("token", "alice");
    assertThat(token.exit()).as(token.output()).isZero();
    // The last line: the JVM may say first on stderr that it picked up JAVA_TOOL_OPTIONS.
    String last = token.output().strip().lines().reduce((a, b) -> b).orElse("");
    assertThat(last).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
    assertThat(audience(last)).containsExactly("conductor");
    Result forTriggers = conductor("token", "alice", "--for", "triggers");
    assertThat(forTriggers.exit()).as(forTriggers.output()).isZero();
    assertThat(audience(forTriggers.output().strip().lines().reduce((a, b) -> b).orElse("")))
        .containsExactly("conductor-triggers");
    assertThat(conductor("token", "nobody").exit()).isNotZero();
  }

  /** The {@code aud} claim of a JWT (read, not verified). */
  private static java.util.List<String> audience(String jwt) {
    try {
      return com.nimbusds.jwt.SignedJWT.parse(jwt).getJWTClaimsSet().getAudience();
    } catch (java.text.ParseException e) {
      throw new AssertionError("not a JWT: " + jwt, e);
    }
  }

  @Test
  @Order(4)
  void statusSaysAllHealthy() {
    Result status = conductor("status");
    assertThat(status.exit()).as(status.output()).isZero();
    assertThat(status.output())
        .contains("all healthy", "executor-service-prod", "kafka")
        .containsPattern("identity-broker +pid \\d+ +http\\S+ +\\d+ MiB +healthy");
  }

  @Test
  @Order(5)
  void applyingTheDemoAgainChangesNothing() {
    Result apply = conductor("apply", "-f", "deploy/local/workspace.yaml", "--dry-run");
    assertThat(apply.exit()).as(apply.output()).isZero();
    assertThat(apply.output())
        .contains(
            "pools (scheduler-service): unchanged",
            "resourceClasses (scheduler-service): unchanged",
            "identities (identity-broker): unchanged",
            "assignments (identity-broker): unchanged",
            "pipelines (trigger-service): unchanged")
        .contains("would change 0 section(s)")
        .doesNotContain("DIFFERS", "REFUSED");
  }

  /**
   * An operator edits the workspace: bob may now use etl-bot, etl-bot is no longer allowed in prod,
   * hello sleeps. A dry run prints each service's diff and changes nothing; the apply changes what
   * runs may do.
   */
  @Test
  @Order(6)
  void applyChangesWhoMayRunWhatAndADryRunChangesNothing() throws Exception {
    String demo = Files.readString(repo.resolve("deploy/local/workspace.yaml"));
    String edited =
        demo.replace(
                "  - {principal: bob, role: operator}",
                "  - {principal: bob, role: operator}\n"
                    + "  - {principal: bob, role: identity-user,"
                    + " scope: /workspaces/demo/identities/etl-bot}")
            .replace(
                "    environments: [dev, test, prod]\n    tags: {team: core}\n\n",
                "    environments: [dev, test]\n    tags: {team: core}\n\n")
            .replace(
                "{name: hello, jobType: noop, resourceClass: smallrc}",
                "{name: hello, jobType: sleep, spec: {millis: 10}, resourceClass: smallrc}");
    assertThat(edited).isNotEqualTo(demo);
    Path file = state.resolve("edited.yaml");
    Files.writeString(file, edited);

    Result dry = conductor("apply", "-f", file.toString(), "--dry-run");
    assertThat(dry.exit()).as(dry.output()).isZero();
    assertThat(dry.output())
        .contains("+ principal:bob role:identity-user scope:/workspaces/demo/identities/etl-bot")
        .contains("~ etl-bot", "/environments")
        .contains("~ hello", "/steps/0/jobType")
        .contains("would change 3 section(s)");
    Result bobBefore = conductor("run", "demo/hello", "--env", "dev", "--as", "bob");
    assertThat(bobBefore.exit()).as(bobBefore.output()).isNotZero();
    assertThat(bobBefore.output()).contains("denied");

    Result apply = conductor("apply", "-f", file.toString());
    assertThat(apply.exit()).as(apply.output()).isZero();
    assertThat(apply.output()).contains("now version", "changed 3 section(s)");
    Result again = conductor("apply", "-f", file.toString(), "--dry-run");
    assertThat(again.output()).as(again.output()).contains("would change 0 section(s)");

    Result bob = conductor("run", "demo/hello", "--env", "dev", "--as", "bob");
    assertThat(bob.exit()).as(bob.output()).isZero();
    assertThat(bob.output()).containsPattern("run \\S+ succeeded");
    Result prod = conductor("run", "demo/hello", "--env", "prod");
    assertThat(prod.exit()).as(prod.output()).isNotZero();
    assertThat(prod.output()).contains("denied");

    // Each change is a config.changed event, and so a record of the audit stream.
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(conductor("audit", "tail", "--from-beginning", "--exit-at-end").output())
                    .contains("config.changed")
                    .contains("config/demo/assignments", "config/demo/identities"));
  }

  @Test
  @Order(7)
  void aDocumentWithAnInvalidOrUnsupportedSectionIsRefusedAndNothingIsApplied() throws Exception {
    Path file = state.resolve("invalid.yaml");
    Files.writeString(
        file,
        "workspace: demo\n"
            + "identities:\n"
            + "  other-bot: {environments: [dev]}\n"
            + "assignments:\n"
            + "  - {principal: carol, role: no-such-role}\n"
            + "quotas:\n"
            + "  dev: {maxSlots: 2}\n");
    Result apply = conductor("apply", "-f", file.toString());
    assertThat(apply.exit()).as(apply.output()).isNotZero();
    assertThat(apply.output())
        .contains("assignments (identity-broker): REFUSED", "/0/role")
        .contains("quotas (scheduler-service): REFUSED", "does not support this section yet")
        .contains("nothing applied");
    // identities was valid, but nothing of a refused document is applied: other-bot is not there
    Result dry = conductor("apply", "-f", file.toString(), "--dry-run");
    assertThat(dry.output()).contains("+ other-bot");
  }

  @Test
  @Order(8)
  void downStopsEveryProcessItStarted() throws Exception {
    JsonNode stack = new ObjectMapper().readTree(state.resolve("stack.json").toFile());
    List<Long> pids = new ArrayList<>();
    stack.path("pids").forEach(p -> pids.add(p.asLong()));
    assertThat(pids).hasSizeGreaterThanOrEqualTo(9);

    Result down = conductor("down");
    assertThat(down.exit()).as(down.output()).isZero();
    assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("pid %d is gone", pid)
          .isFalse();
    }
    assertThat(upOutput()).contains("stopped.");
    assertThat(conductor("status").exit()).isNotZero();
  }

  private static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(repo.resolve("conductor").toString());
    command.addAll(List.of(args));
    command.add("--no-build");
    command.add("--state-dir");
    command.add(state.toString());
    return command;
  }

  private static Result conductor(String... args) {
    try {
      Path out = Files.createTempFile(state, "cmd", ".log");
      Process process =
          new ProcessBuilder(command(args))
              .directory(repo.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("./conductor " + String.join(" ", args) + " hung");
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String upOutput() {
    try {
      return Files.readString(upLog, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
