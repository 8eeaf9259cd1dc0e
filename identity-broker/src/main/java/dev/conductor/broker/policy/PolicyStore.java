package dev.conductor.broker.policy;

import dev.conductor.broker.issuer.Client;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;

/**
 * The policy and clients in force on this instance, read from the database at start (after the seed
 * is loaded) and after every change ({@link PolicyFollower}). Decisions read it without I/O, so
 * they stay cheap on the event loop.
 */
@ApplicationScoped
public class PolicyStore {
  private volatile Snapshot snapshot = new Snapshot(Policy.empty(), Map.of(), -1);

  /** Everything one consistent read saw, swapped atomically; {@code revision} only grows. */
  public record Snapshot(Policy policy, Map<String, Client> clients, long revision) {
    public Snapshot {
      clients = Map.copyOf(clients);
    }
  }

  public Policy policy() {
    return snapshot.policy();
  }

  public Optional<Client> client(String id) {
    return Optional.ofNullable(id == null ? null : snapshot.clients().get(id));
  }

  long revision() {
    return snapshot.revision();
  }

  /**
   * Installs {@code next} unless a newer one is already in force: the refresh after a commit and
   * the periodic poll may finish out of order.
   */
  synchronized void replace(Snapshot next) {
    if (next.revision() >= snapshot.revision()) {
      snapshot = next;
    }
  }
}
