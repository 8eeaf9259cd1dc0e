package dev.conductor.platform.auth;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.platform.kafka.KafkaClients;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Follows the broker's policy version on {@code conductor.changes.identity-broker}, so that access
 * decisions can be cached until the policy changes ({@link HttpAccessChecker}). Every instance
 * reads every change: a plain consumer without a group, assigned all partitions from their end, on
 * its own thread.
 *
 * <p>Only the broker's principal may write the topic. Even a forged {@code config.changed} would
 * only make the cache ask the broker again: it costs a broker call and grants nothing. Whether the
 * watch is current is known, not assumed: every {@code conductor.access.watch-check} it asks Kafka
 * for the topic's end and counts as caught up once it has read that far. A watch that has not been
 * caught up recently (Kafka down, the topic missing) is {@linkplain #current stale}, and the cache
 * falls back to its short lifetime.
 */
@ApplicationScoped
public class PolicyWatch {
  private static final Logger LOG = Logger.getLogger(PolicyWatch.class);
  static final String BROKER = Envelope.sourceOf("identity-broker");

  /** Only the broker writes here, so nobody else can announce a policy version. */
  static final String CHANGES = Topics.changes(Principals.IDENTITY_BROKER);

  private final Map<String, Object> client;
  private final Duration check;
  private final Clock clock;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile String version;
  private volatile Instant caughtUpAt = Instant.MIN;
  private volatile Instant followingSince = Instant.MAX;
  // Where reading stands (the follow thread's own): a consumer rebuilt after an error goes on from
  // here, so no change in between is skipped.
  private final Map<TopicPartition, Long> positions = new HashMap<>();

  @Inject
  public PolicyWatch(KafkaClients clients, AccessSettings settings, Clock clock) {
    this(clients.common(), settings.watchCheck(), clock);
  }

  /** A watch that reaches the bus with {@code client} (bootstrap servers, authentication). */
  public PolicyWatch(Map<String, Object> client, Duration check, Clock clock) {
    this.client = Map.copyOf(client);
    this.check = check;
    this.clock = clock;
  }

  /** Starts following, once; the first access check calls it. */
  public void start() {
    if (started.compareAndSet(false, true)) {
      Thread t = new Thread(this::follow, "policy-watch");
      t.setDaemon(true);
      t.start();
    }
  }

  /** The latest policy version the broker announced since this watch started; null if none. */
  public String version() {
    return version;
  }

  /**
   * Since when every change is seen ({@link Instant#MAX} until the watch has a position): a
   * decision made earlier may predate a change the watch never read.
   */
  public Instant followingSince() {
    return followingSince;
  }

  /**
   * True when every change the broker announced before {@code staleAfter} ago has been read: a
   * decision cached under {@link #version()} is still the broker's answer, give or take that long.
   */
  public boolean current(Duration staleAfter) {
    return caughtUpAt.isAfter(clock.instant().minus(staleAfter));
  }

  /** Applies one record of the broker's changes; anything else on the topic is ignored. */
  void apply(ConsumerRecord<String, byte[]> record) {
    Envelope<?> event;
    try {
      event = KafkaEvents.decode(record.headers(), record.key(), record.value());
    } catch (RuntimeException e) {
      return; // not ours to judge: the audit records it, the owner's consumer dead-letters it
    }
    if (event.type() == EventType.CONFIG_CHANGED
        && BROKER.equals(event.source())
        && event.data() instanceof ConfigChanged changed
        && changed.newVersion() != null) {
      version = changed.newVersion();
    }
  }

  private void follow() {
    Map<String, Object> config = new HashMap<>(client);
    config.putAll(
        Map.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "latest",
            ConsumerConfig.CLIENT_ID_CONFIG,
            "policy-watch"));
    while (!stopping) {
      try (KafkaConsumer<String, byte[]> c =
          new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer = c;
        List<TopicPartition> partitions = partitions(c);
        c.assign(partitions);
        if (positions.isEmpty()) {
          Instant before = clock.instant();
          c.seekToEnd(partitions);
          partitions.forEach(p -> positions.put(p, c.position(p)));
          followingSince = before;
        } else {
          partitions.forEach(p -> c.seek(p, positions.getOrDefault(p, 0L)));
        }
        Instant nextCheck = Instant.MIN;
        while (!stopping) {
          c.poll(Duration.ofMillis(500)).forEach(this::apply);
          partitions.forEach(p -> positions.put(p, c.position(p)));
          if (!clock.instant().isBefore(nextCheck)) {
            Instant asked = clock.instant();
            nextCheck = asked.plus(check);
            try {
              Map<TopicPartition, Long> ends = c.endOffsets(partitions, Duration.ofSeconds(5));
              while (!stopping && behind(c, ends)) {
                c.poll(Duration.ofMillis(200)).forEach(this::apply);
              }
              partitions.forEach(p -> positions.put(p, c.position(p)));
              caughtUpAt = asked;
            } catch (TimeoutException e) {
              // A slow answer under load is not a lost broker: ask again at the next check.
            }
          }
        }
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        if (!stopping) {
          LOG.debugf("policy watch: %s; cached decisions live briefly until it recovers", e);
          pause();
        }
      }
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
    while (true) {
      List<TopicPartition> found =
          c.partitionsFor(CHANGES, Duration.ofSeconds(2)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      if (!found.isEmpty() || stopping) {
        return found;
      }
      pause();
    }
  }

  private static boolean behind(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> ends) {
    return ends.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue());
  }

  private void pause() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
  }

  @PreDestroy
  void stop() {
    stopping = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /** For logs. */
  @Override
  public String toString() {
    return "PolicyWatch[" + version + ", caught up at " + caughtUpAt + "]";
  }
}
