package dev.conductor.executor.pool;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Who this executor is. Without a configured id, a random suffix keeps two replicas on one host (or
 * a restarted one whose old registration has not expired) apart.
 */
@ApplicationScoped
public class ExecutorIdentity {
  private final String pool;
  private final String id;
  private final int slots;

  public ExecutorIdentity(ExecutorConfig config) {
    this.pool = config.pool();
    this.slots = config.slots();
    this.id = config.id().filter(s -> !s.isBlank()).orElseGet(() -> generated(config.pool()));
  }

  public String pool() {
    return pool;
  }

  public String id() {
    return id;
  }

  public int slots() {
    return slots;
  }

  private static String generated(String pool) {
    byte[] random = new byte[3];
    new SecureRandom().nextBytes(random);
    return pool + "-" + hostname() + "-" + HexFormat.of().formatHex(random);
  }

  private static String hostname() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        host = "local";
      }
    }
    String clean = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    return clean.isBlank() ? "local" : clean;
  }
}
