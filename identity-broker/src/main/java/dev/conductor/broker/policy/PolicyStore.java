package dev.conductor.broker.policy;

import dev.conductor.broker.issuer.Client;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;

/**
 * The policy and clients in force on this instance, read from the database at start (after the seed
 * is loaded). Decisions read it without I/O, so they stay cheap on the event loop.
 */
@ApplicationScoped
public class PolicyStore {
  private volatile Snapshot snapshot = new Snapshot(Policy.empty(), Map.of());

  /** Everything one load read, swapped atomically. */
  public record Snapshot(Policy policy, Map<String, Client> clients) {
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

  void replace(Snapshot next) {
    snapshot = next;
  }
}
