package dev.conductor.embedded;

import dev.conductor.events.Principals;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The SCRAM passwords of the bus's principals ({@link Principals}): one per service, per pool's
 * executors, for upstream producers, analysts and the {@link Principals#ADMIN} super user.
 *
 * <p>The local runner keeps them in a file only its user can read, so that a restarted stack (whose
 * Kafka keeps its data, SCRAM credentials included) finds the same ones; a test JVM makes them up.
 */
public record BusSecrets(Map<String, String> passwords) {
  /** SCRAM-SHA-512 on every client connection. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  private static final SecureRandom RANDOM = new SecureRandom();

  public BusSecrets {
    passwords = Map.copyOf(passwords);
    if (!passwords.containsKey(Principals.ADMIN)) {
      throw new IllegalArgumentException("no password for " + Principals.ADMIN);
    }
  }

  /** New random passwords for every principal of these pools. */
  public static BusSecrets generate(List<String> pools) {
    Map<String, String> passwords = new LinkedHashMap<>();
    passwords.put(Principals.ADMIN, newPassword());
    Principals.all(pools).forEach(p -> passwords.put(p, newPassword()));
    return new BusSecrets(passwords);
  }

  /**
   * One password for every principal of these pools, the admin's included: for a test JVM, whose
   * class loaders share the broker through system properties and so only a password.
   */
  public static BusSecrets uniform(String password, List<String> pools) {
    Map<String, String> passwords = new LinkedHashMap<>();
    passwords.put(Principals.ADMIN, password);
    Principals.all(pools).forEach(p -> passwords.put(p, password));
    return new BusSecrets(passwords);
  }

  /** A new random password. */
  public static String newPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    // URL-safe and without quotes or backslashes: it sits inside a JAAS string.
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The passwords in {@code file}, with new ones added for principals it lacks (a pool added
   * since); written back, readable by this user only.
   */
  public static BusSecrets loadOrCreate(Path file, List<String> pools) {
    Properties stored = new Properties();
    if (Files.exists(file)) {
      try (Reader in = Files.newBufferedReader(file)) {
        stored.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the bus passwords in " + file, e);
      }
    }
    Map<String, String> passwords = new TreeMap<>();
    stored.stringPropertyNames().forEach(p -> passwords.put(p, stored.getProperty(p)));
    boolean added = passwords.putIfAbsent(Principals.ADMIN, newPassword()) == null;
    for (String principal : Principals.all(pools)) {
      added |= passwords.putIfAbsent(principal, newPassword()) == null;
    }
    if (added) {
      Properties out = new Properties();
      out.putAll(passwords);
      writePrivate(file, out, "SCRAM passwords of the local bus's principals");
    }
    return new BusSecrets(passwords);
  }

  /** The password of {@code principal}; fails for one this bus does not know. */
  public String password(String principal) {
    String password = passwords.get(principal);
    if (password == null) {
      throw new IllegalArgumentException("no bus principal " + principal);
    }
    return password;
  }

  /** The JAAS line a Kafka client logs in with as {@code principal}. */
  public String jaas(String principal) {
    return jaas(principal, password(principal));
  }

  public static String jaas(String principal, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + principal
        + "\" password=\""
        + password
        + "\";";
  }

  /**
   * Client settings for {@code principal} on a loopback-only bus (SASL_PLAINTEXT; a production bus
   * uses SASL_SSL): what a Kafka client or Kafka's own console tools need.
   */
  public Map<String, Object> client(String bootstrapServers, String principal) {
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("bootstrap.servers", bootstrapServers);
    client.put("security.protocol", "SASL_PLAINTEXT");
    client.put("sasl.mechanism", MECHANISM);
    client.put("sasl.jaas.config", jaas(principal));
    return client;
  }

  /** Writes {@link #client} as a properties file only this user can read. */
  public void writeClientFile(Path file, String bootstrapServers, String principal) {
    Properties out = new Properties();
    client(bootstrapServers, principal).forEach((k, v) -> out.setProperty(k, v.toString()));
    writePrivate(file, out, "Kafka client settings for principal " + principal);
  }

  private static void writePrivate(Path file, Properties content, String comment) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".bus", ".tmp");
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // Windows: the user's profile directory is private already.
      }
      try (Writer out = Files.newBufferedWriter(temp)) {
        content.store(out, comment);
      }
      Files.move(
          temp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public String toString() {
    return "BusSecrets" + passwords.keySet(); // never the passwords
  }
}
