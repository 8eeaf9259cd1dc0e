package dev.conductor.scheduler.pool;

import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.platform.kafka.KafkaClients;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.jboss.logging.Logger;

/**
 * Checks that a new pool is provisioned on the bus before the pool is stored: the pool's topics
 * this service uses ({@code conductor.control.<pool>}, {@code conductor.attempts.<pool>}) exist,
 * and with them the rest (the provisioner creates a pool's topics together), so the broker's jobs
 * and our cancels are deliverable the moment a run can use the pool. The scheduler does not create
 * them: topics and their ACLs are created together by the bus's provisioner, with the pool's
 * executors' principal, and no service may create topics (the local runner provisions the pools it
 * starts executors for).
 */
@ApplicationScoped
public class PoolTopics {
  private static final Logger LOG = Logger.getLogger(PoolTopics.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final KafkaClients clients;

  public PoolTopics(KafkaClients clients) {
    this.clients = clients;
  }

  /**
   * Completes when every pool's topics exist.
   *
   * @throws ProblemException 409 naming the missing topics; 503 when Kafka cannot be asked
   */
  public Uni<Void> requireProvisioned(Collection<String> pools) {
    if (pools.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    // The admin client blocks: never on the event loop.
    return Uni.createFrom()
        .item(
            () -> {
              check(pools);
              return true;
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .replaceWithVoid();
  }

  private void check(Collection<String> pools) {
    Set<String> shared =
        Set.copyOf(Topics.all(List.of()).stream().map(Topics.TopicSpec::name).toList());
    // The pool's topics this service uses (it may see no others); the provisioner creates all of a
    // pool's topics at once, so these stand for the rest.
    Set<String> missing =
        new TreeSet<>(
            Topics.all(List.copyOf(pools)).stream()
                .filter(t -> !shared.contains(t.name()))
                .filter(PoolTopics::uses)
                .map(Topics.TopicSpec::name)
                .toList());
    try (Admin admin =
        Admin.create(
            clients.with(
                AdminClientConfig.CLIENT_ID_CONFIG,
                "scheduler-service-pool-topics",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) TIMEOUT.toMillis()))) {
      // Only the topics this principal may see are listed: the pool's ones it writes or reads.
      missing.removeAll(
          admin
              .listTopics(new ListTopicsOptions().listInternal(false))
              .names()
              .get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(e);
    } catch (Exception e) {
      throw unavailable(e);
    }
    if (!missing.isEmpty()) {
      throw ProblemException.conflict(
          "pool "
              + String.join(", ", pools)
              + " is not provisioned on the bus: "
              + String.join(", ", missing)
              + " missing. Provision the pool with its executors' principal first (the local"
              + " runner does it for the pools it starts executors for)");
    }
  }

  private static boolean uses(Topics.TopicSpec topic) {
    return topic.writer().equals(Principals.SCHEDULER_SERVICE)
        || topic.readers().contains(Principals.SCHEDULER_SERVICE);
  }

  private static ProblemException unavailable(Throwable cause) {
    LOG.warnf("cannot list Kafka topics: %s", cause.toString());
    return ProblemException.unavailable(
        "cannot ask Kafka for the pool's topics; the pool was not stored: " + cause.getMessage());
  }
}
