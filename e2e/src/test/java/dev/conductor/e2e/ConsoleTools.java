package dev.conductor.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kafka's own console producer and consumer (the {@code kafka-tools} jar, what {@code
 * bin/kafka-console-producer.sh} runs), each in a JVM of its own, as an operator or an attacker
 * would run them against the bus.
 */
final class ConsoleTools {
  private static final long TIMEOUT_SECONDS = 90;

  private ConsoleTools() {}

  /** What a tool printed and how it ended. */
  record Outcome(int exitCode, String output) {}

  /**
   * Produces {@code lines} to {@code topic}, logged in with {@code config} ({@code null}: no
   * credentials at all). Lines are {@code headers<TAB>key<TAB>value}.
   */
  static Outcome produce(String bootstrap, Path config, String topic, List<String> lines) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "org.apache.kafka.tools.ConsoleProducer",
                "--bootstrap-server",
                bootstrap,
                "--topic",
                topic,
                "--property",
                "parse.headers=true",
                "--property",
                "parse.key=true",
                "--sync",
                // Fail within seconds, not a minute, when the bus will not have it.
                "--producer-property",
                "max.block.ms=8000",
                "--producer-property",
                "delivery.timeout.ms=10000",
                "--producer-property",
                "request.timeout.ms=5000"));
    if (config != null) {
      args.addAll(List.of("--producer.config", config.toString()));
    }
    return run(args, String.join("\n", lines) + "\n");
  }

  /** Consumes up to {@code max} records of {@code topic} from its start, as {@code config}. */
  static Outcome consume(String bootstrap, Path config, String topic, int max) {
    return run(
        List.of(
            "org.apache.kafka.tools.consumer.ConsoleConsumer",
            "--bootstrap-server",
            bootstrap,
            "--consumer.config",
            config.toString(),
            "--topic",
            topic,
            "--from-beginning",
            "--max-messages",
            String.valueOf(max),
            "--timeout-ms",
            "20000",
            "--property",
            "print.key=true"),
        "");
  }

  private static Outcome run(List<String> toolArgs, String input) {
    try {
      Path dir = Files.createTempDirectory("console-tool-");
      Path in = Files.writeString(dir.resolve("in"), input, StandardCharsets.UTF_8);
      Path out = dir.resolve("out");
      List<String> command = new ArrayList<>();
      command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx128m");
      command.add("-Djava.io.tmpdir=" + dir);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.addAll(toolArgs);
      Process process =
          new ProcessBuilder(command)
              .redirectInput(in.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      try {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new AssertionError(
              "console tool still running after "
                  + TIMEOUT_SECONDS
                  + " s: "
                  + Files.readString(out));
        }
        return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        process.destroyForcibly();
        // The input may hold a live token.
        Files.deleteIfExists(in);
        Files.deleteIfExists(out);
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
