package dev.conductor.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * What a step cost the whole stack, read from outside: Kafka records appended to {@code
 * conductor.*} topics (sum of end offsets), records the services' consumer groups read from them
 * (sum of committed offsets) and PostgreSQL commits (pg_stat_database.xact_commit, every service
 * and the stack's background work together). Divided by the step's completed runs, that is the cost
 * per run, which must not grow with the queue. Records written plus records read are what a run
 * costs Kafka's clients and broker, to set beside a floor message's five and five.
 */
final class CostMeter implements AutoCloseable {
  /** Totals at one moment. */
  record Totals(long kafkaRecords, long consumedRecords, long commits) {
    Totals minus(Totals earlier) {
      return new Totals(
          kafkaRecords - earlier.kafkaRecords,
          consumedRecords - earlier.consumedRecords,
          commits - earlier.commits);
    }
  }

  private final Admin admin;
  private final String jdbcUrl;
  private final String user;
  private final String password;

  CostMeter(Map<String, Object> client, String jdbcUrl, String user, String password) {
    this.admin = Admin.create(client);
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  Totals totals() throws Exception {
    List<TopicPartition> partitions = new ArrayList<>();
    var names = admin.listTopics().names().get();
    var topics =
        admin.describeTopics(names.stream().filter(t -> t.startsWith("conductor.")).toList());
    for (var description : topics.allTopicNames().get().values()) {
      description
          .partitions()
          .forEach(p -> partitions.add(new TopicPartition(description.name(), p.partition())));
    }
    var request = new java.util.HashMap<TopicPartition, OffsetSpec>();
    partitions.forEach(p -> request.put(p, OffsetSpec.latest()));
    long records = 0;
    for (var offsets : admin.listOffsets(request).all().get().values()) {
      records += offsets.offset();
    }
    long consumed = consumed();
    long commits;
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
      rs.next();
      commits = rs.getLong(1);
    }
    return new Totals(records, consumed, commits);
  }

  /**
   * Committed offsets of every consumer group on {@code conductor.*} topics: the records the
   * services have read (the benchmark's own observer commits nothing and is not counted). Groups
   * commit a little behind what they processed, so a step's figure may fall short by a few records.
   */
  private long consumed() throws Exception {
    long consumed = 0;
    for (var group : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get()) {
      var offsets =
          admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get();
      for (var e : offsets.entrySet()) {
        if (e.getKey().topic().startsWith("conductor.") && e.getValue() != null) {
          consumed += e.getValue().offset();
        }
      }
    }
    return consumed;
  }

  /** PostgreSQL's postmaster: the parent of a backend, asked while that backend lives. */
  long postmasterPid() throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return CpuMeter.postmaster(rs.getLong(1));
    }
  }

  /**
   * "N Kafka records (C read by the services), M commits per run" for a step that completed {@code
   * runs}.
   */
  static String perRun(Totals spent, int runs) {
    if (runs <= 0) {
      return "no run completed";
    }
    return String.format(
        java.util.Locale.ROOT,
        "%.1f Kafka records (%.1f read by the services), %.1f PostgreSQL commits per run (%d runs)",
        spent.kafkaRecords() / (double) runs,
        spent.consumedRecords() / (double) runs,
        spent.commits() / (double) runs,
        runs);
  }

  @Override
  public void close() {
    admin.close();
  }
}
