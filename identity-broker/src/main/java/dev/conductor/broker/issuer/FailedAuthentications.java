package dev.conductor.broker.issuer;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps wrong client secrets from burning the broker's CPU: every check of a secret costs a
 * deliberately slow PBKDF2 ({@link ClientSecrets}), so failed authentications are budgeted per
 * client id (a burst of {@value #PER_CLIENT_BURST}, then one every {@value
 * #PER_CLIENT_REFILL_MILLIS} ms) and across all ids (unknown ids cost as much as known ones). Over
 * budget, the endpoint answers 429 without hashing.
 *
 * <p>So that an attacker guessing a client's secret does not lock the real client out, a secret
 * that verified is remembered by a SHA-256 of it and the stored hash it matched: the same client
 * presenting it again is recognised without PBKDF2 and without the budget. A rotated secret changes
 * the stored hash, so the remembered one stops matching. Client secrets are long random strings,
 * for which one SHA-256 is no weaker than the PBKDF2 at rest.
 */
@ApplicationScoped
public class FailedAuthentications {
  static final int PER_CLIENT_BURST = 5;
  static final long PER_CLIENT_REFILL_MILLIS = 2_000;
  static final int GLOBAL_BURST = 20;
  static final long GLOBAL_REFILL_MILLIS = 100;
  // Ids are chosen by callers: beyond this many budgets, full ones are dropped first.
  private static final int MAX_TRACKED = 10_000;

  private final Map<String, Budget> perClient = new ConcurrentHashMap<>();
  private final Map<String, byte[]> remembered = new ConcurrentHashMap<>();
  private final Budget global;
  private final Clock clock;

  public FailedAuthentications(Clock clock) {
    this.clock = clock;
    this.global = new Budget(GLOBAL_BURST, GLOBAL_REFILL_MILLIS, clock.instant());
  }

  /** True when {@code secret} is the one that last verified against {@code storedHash}. */
  public boolean remembered(String clientId, String secret, String storedHash) {
    byte[] known = remembered.get(clientId);
    return known != null && MessageDigest.isEqual(known, digest(secret, storedHash));
  }

  /** How long {@code clientId} must wait before another secret is checked; empty if not at all. */
  public Optional<Duration> waitBefore(String clientId) {
    Instant now = clock.instant();
    Budget client = perClient.get(clientId);
    long wait = Math.max(client == null ? 0 : client.waitMillis(now), global.waitMillis(now));
    return wait == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(wait));
  }

  public void failed(String clientId) {
    Instant now = clock.instant();
    if (perClient.size() >= MAX_TRACKED) {
      perClient.values().removeIf(b -> b.full(now));
    }
    perClient
        .computeIfAbsent(
            clientId, id -> new Budget(PER_CLIENT_BURST, PER_CLIENT_REFILL_MILLIS, now))
        .spend(now);
    global.spend(now);
  }

  public void succeeded(String clientId, String secret, String storedHash) {
    remembered.put(clientId, digest(secret, storedHash));
  }

  private static byte[] digest(String secret, String storedHash) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(storedHash.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token bucket: {@code burst} failures, one more every {@code refillMillis}. */
  private static final class Budget {
    private final int burst;
    private final long refillMillis;
    private double tokens;
    private Instant at;

    Budget(int burst, long refillMillis, Instant now) {
      this.burst = burst;
      this.refillMillis = refillMillis;
      this.tokens = burst;
      this.at = now;
    }

    synchronized long waitMillis(Instant now) {
      refill(now);
      return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * refillMillis);
    }

    synchronized void spend(Instant now) {
      refill(now);
      tokens = Math.max(0, tokens - 1);
    }

    synchronized boolean full(Instant now) {
      refill(now);
      return tokens >= burst;
    }

    private void refill(Instant now) {
      long elapsed = Duration.between(at, now).toMillis();
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + (double) elapsed / refillMillis);
        at = now;
      }
    }
  }
}
