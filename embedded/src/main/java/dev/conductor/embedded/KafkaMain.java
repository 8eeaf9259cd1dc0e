package dev.conductor.embedded;

import dev.conductor.events.Topics;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link EmbeddedKafka} as its own process, for end-to-end tests and the local runner.
 *
 * <pre>java -Xmx256m -cp CP dev.conductor.embedded.KafkaMain --port 0 --dir D --pools dev,test
 *     --secrets S</pre>
 *
 * <p>{@code --secrets} names the principals' passwords ({@link BusSecrets#loadOrCreate}): the
 * launcher writes it first, so that it can hand each service its own.
 *
 * <p>Prints {@code KAFKA READY <bootstrap>} once every topic exists and stops cleanly on SIGTERM or
 * when its launcher is gone; a start that fails prints {@code KAFKA FAILED <cause>}. With {@code
 * --dir} the data survives restarts.
 */
public final class KafkaMain {
  private KafkaMain() {}

  public static void main(String[] args) throws InterruptedException {
    Logs.forMain();
    Mains.exitWithParent();
    MainArgs parsed = new MainArgs(args, "port", "dir", "pools", "secrets");
    List<String> pools =
        Arrays.stream(parsed.get("pools", String.join(",", Topics.DEFAULT_POOLS)).split(","))
            .map(String::trim)
            .filter(p -> !p.isEmpty())
            .toList();
    EmbeddedKafka kafka;
    try {
      String secrets = parsed.get("secrets", null);
      if (secrets == null) {
        throw new IllegalArgumentException("--secrets is required: the bus's passwords file");
      }
      kafka =
          EmbeddedKafka.start(
              parsed.port(),
              parsed.dir(),
              pools,
              BusSecrets.loadOrCreate(java.nio.file.Path.of(secrets), pools));
    } catch (RuntimeException e) {
      Mains.failed("KAFKA", e);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  kafka.close();
                  stopped.countDown();
                },
                "kafka-main-shutdown"));
    System.out.println("KAFKA READY " + kafka.bootstrapServers());
    System.out.flush();
    stopped.await();
  }
}
