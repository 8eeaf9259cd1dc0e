package dev.conductor.platform.db.outbox;

import dev.conductor.platform.kafka.KafkaClients;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether a topic exists, as the broker's metadata says: a producer sending to a missing topic
 * (topics are never created automatically) waits a minute for metadata and then fails as if the
 * broker were down. Asking first tells the two apart: a topic the broker says does not exist is a
 * fact about the row, an unanswered question is an outage. Topics seen to exist are remembered.
 */
@ApplicationScoped
public class BrokerTopics {
  private final KafkaClients clients;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private volatile Admin admin;

  public BrokerTopics(KafkaClients clients) {
    this.clients = clients;
  }

  /**
   * Why a row for {@code topic} can never be published, as the broker answers: the topic does not
   * exist, or this service's principal may not see it (no ACL allows it); empty when it exists.
   *
   * @throws Exception when the broker cannot be asked (an outage: nothing is decided)
   */
  public Optional<String> unpublishable(String topic) throws Exception {
    if (known.contains(topic)) {
      return Optional.empty();
    }
    try {
      admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.of("topic " + topic + " does not exist on the broker");
      }
      if (e.getCause() instanceof TopicAuthorizationException) {
        // Kafka does not tell a principal whether a topic it may not see exists.
        return Optional.of(
            "topic " + topic + " does not exist or this service may not see it (no ACL allows it)");
      }
      throw e;
    }
    known.add(topic);
    return Optional.empty();
  }

  /** The reason for a topic this service's principal may not write. */
  public static String notAllowed(String topic) {
    return "this service may not write topic " + topic + " (no ACL allows it)";
  }

  /** Only topics already seen to exist, without asking: for callers that must not block. */
  public boolean known(String topic) {
    return known.contains(topic);
  }

  /** A send to the topic failed in a way that may mean it is gone: ask again next time. */
  public void forget(String topic) {
    known.remove(topic);
  }

  private Admin admin() {
    Admin a = admin;
    if (a == null) {
      synchronized (this) {
        if (admin == null) {
          admin =
              Admin.create(
                  clients.with(
                      AdminClientConfig.CLIENT_ID_CONFIG,
                      "outbox-topics",
                      AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                      5_000,
                      // must not be shorter than the request time-out, or the client refuses
                      AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                      10_000));
        }
        a = admin;
      }
    }
    return a;
  }

  @PreDestroy
  void close() {
    if (admin != null) {
      admin.close();
    }
  }
}
