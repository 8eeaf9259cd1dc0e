package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.events.Principals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code audit tail}: follows {@code conductor.audit}, one readable line per ledger record. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Reads the audit stream.",
    subcommands = AuditCommand.Tail.class)
final class AuditCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "tail",
      mixinStandardHelpOptions = true,
      description = "Follows conductor.audit: time, chain/seq, type, run, step, hash prefix.")
  static final class Tail implements Callable<Integer> {
    static final String TOPIC = "conductor.audit";
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Mixin CommonOptions common;

    @Option(names = "--run", paramLabel = "ID", description = "Only the records of this run.")
    String run;

    @Option(
        names = "--from-beginning",
        description = "Start at the first record (default: new ones only).")
    boolean fromBeginning;

    @Option(names = "--exit-at-end", description = "Stop at the current end instead of following.")
    boolean exitAtEnd;

    @Override
    public Integer call() {
      common.stack(); // fails clearly when nothing runs
      // As an analyst would: the analyst's client file, which may read conductor.audit only.
      Properties props = new Properties();
      java.nio.file.Path client = LocalStack.clientFile(common.state(), Principals.ANALYST);
      try (java.io.Reader in = java.nio.file.Files.newBufferedReader(client)) {
        props.load(in);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot read the analyst's Kafka settings " + client, e);
      }
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      try (KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(TOPIC).stream()
                .map(p -> new TopicPartition(TOPIC, p.partition()))
                .toList();
        consumer.assign(partitions);
        if (fromBeginning || exitAtEnd) {
          consumer.seekToBeginning(partitions);
        } else {
          consumer.seekToEnd(partitions);
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        System.out.printf(
            "%-12s %-9s %-22s %-38s %-12s %s%n",
            "time", "chain/seq", "type", "run", "step", "hash");
        while (true) {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            if (run == null || run.equals(record.key())) {
              System.out.println(line(record));
            }
          }
          System.out.flush();
          if (exitAtEnd && partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p))) {
            return 0;
          }
        }
      }
    }

    static String line(ConsumerRecord<String, byte[]> record) {
      JsonNode value;
      try {
        value = Api.JSON.readTree(record.value());
      } catch (IOException e) {
        return "unreadable record at "
            + record.partition()
            + "/"
            + record.offset()
            + ": "
            + new String(record.value(), StandardCharsets.UTF_8);
      }
      if (value.has("specversion") && value.has("data")) {
        value = value.path("data"); // structured mode
      }
      JsonNode event = value.path("event");
      if (event.isTextual()) {
        try {
          event = Api.JSON.readTree(event.asText());
        } catch (IOException e) {
          // keep the text
        }
      }
      String time = value.path("recordedAt").asText(event.path("time").asText(""));
      try {
        time = TIME.format(Instant.parse(time));
      } catch (RuntimeException e) {
        // keep as is
      }
      String type =
          value
              .path("eventType")
              .asText(event.path("type").asText("?"))
              .replaceFirst("^dev\\.conductor\\.", "")
              .replaceFirst("\\.v\\d+$", "");
      String step = event.path("data").path("step").asText("-");
      String hash = value.path("hash").asText("");
      return String.format(
          "%-12s %-9s %-22s %-38s %-12s %s",
          time,
          value.path("chain").asInt() + "/" + value.path("seq").asLong(),
          type,
          record.key() == null ? "-" : record.key(),
          step.isEmpty() ? "-" : step,
          hash.length() > 12 ? hash.substring(0, 12) : hash);
    }
  }
}
