package dev.conductor.scheduler.pool;

import dev.conductor.events.Topics;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates a new pool's topics ({@code conductor.jobs.<pool>}, {@code conductor.control.<pool>})
 * before the pool is stored, because brokers do not auto-create topics and the broker's jobs and
 * our cancels must be deliverable the moment a run can use the pool. Partitions come from {@link
 * Topics#all}, the one list deployments create from.
 */
@ApplicationScoped
public class PoolTopics {
  private static final Logger LOG = Logger.getLogger(PoolTopics.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final String bootstrap;

  public PoolTopics(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.bootstrap = bootstrap;
  }

  /**
   * Creates the topics the pools lack; existing topics are fine.
   *
   * @throws ProblemException 503 when Kafka cannot create them
   */
  public Uni<Void> create(Collection<String> pools) {
    if (pools.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    // The admin client blocks: never on the event loop.
    return Uni.createFrom()
        .item(
            () -> {
              createBlocking(pools);
              return true;
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .replaceWithVoid();
  }

  private void createBlocking(Collection<String> pools) {
    Set<String> wanted =
        Set.copyOf(
            pools.stream()
                .flatMap(p -> List.of(Topics.jobs(p), Topics.control(p)).stream())
                .toList());
    List<NewTopic> topics =
        Topics.all(List.copyOf(pools)).stream()
            .filter(spec -> wanted.contains(spec.name()))
            .map(
                spec -> new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.empty()))
            .toList();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "scheduler-service-pool-topics");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (RuntimeException e) {
      throw unavailable(String.join(", ", wanted), e);
    }
    try {
      for (Map.Entry<String, KafkaFuture<Void>> created :
          admin.createTopics(topics).values().entrySet()) {
        await(created.getKey(), created.getValue());
      }
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
  }

  private static void await(String topic, KafkaFuture<Void> created) {
    try {
      created.get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
      LOG.infof("created topic %s", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw unavailable(topic, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(topic, e);
    } catch (Exception e) {
      throw unavailable(topic, e);
    }
  }

  private static ProblemException unavailable(String topic, Throwable cause) {
    LOG.warnf("cannot create topic %s: %s", topic, cause);
    return ProblemException.unavailable(
        "cannot create topic "
            + topic
            + " in Kafka; the pool was not stored: "
            + cause.getMessage());
  }
}
