package dev.conductor.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.events.Principals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code *Main} classes as the E2E tests and the local runner use them: separate JVMs. */
class MainProcessesTest {
  @TempDir Path dir;

  @Test
  void kafkaMainReportsReadyServesTopicsAndStopsOnSigterm() throws Exception {
    Path data = dir.resolve("kafka");
    Path secrets = dir.resolve("passwords.properties");
    Process process =
        launch(
            "-Xmx256m",
            KafkaMain.class,
            "--port",
            "0",
            "--dir",
            data.toString(),
            "--pools",
            "gpu",
            "--secrets",
            secrets.toString());
    try {
      String ready = readyLine(process);
      assertThat(ready).matches("KAFKA READY 127\\.0\\.0\\.1:\\d+");
      BusSecrets bus = BusSecrets.loadOrCreate(secrets, List.of("gpu"));
      try (Admin admin =
          Admin.create(bus.client(ready.substring("KAFKA READY ".length()), Principals.ADMIN))) {
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
            .contains("conductor.jobs.gpu", "conductor.triggers")
            .doesNotContain("conductor.jobs.dev");
      }
      stop(process);
      assertThat(data.resolve("meta.properties")).as("--dir is kept").exists();
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void postgresMainReportsReadyAndKeepsDataInDir() throws Exception {
    Path data = dir.resolve("pg");
    Process process =
        launch("-Xmx128m", PostgresMain.class, "--port", "0", "--dir", data.toString());
    try {
      String ready = readyLine(process);
      assertThat(ready).matches("POSTGRES READY jdbc:postgresql://127\\.0\\.0\\.1:\\d+/postgres");
      String url = ready.substring("POSTGRES READY ".length());
      try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
          ResultSet rs = c.createStatement().executeQuery("select current_user")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("postgres");
      }
      stop(process);
      assertThat(data.resolve("PG_VERSION")).as("--dir is kept").exists();
    } finally {
      process.destroyForcibly();
    }
  }

  private static Process launch(String heap, Class<?> main, String... args) throws Exception {
    return launch(List.of(heap), main, args);
  }

  static Process launch(List<String> jvmOptions, Class<?> main, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The first stdout line, which must be the READY line: nothing else may precede it. */
  static String readyLine(Process process) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
    assertThat(line).as("READY line (process alive: %s)", process.isAlive()).isNotNull();
    return line;
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** SIGTERM, as the E2E harness sends it; the shutdown hook must finish within seconds. */
  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
  }
}
