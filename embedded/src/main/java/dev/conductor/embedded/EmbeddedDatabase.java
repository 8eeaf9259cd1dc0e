package dev.conductor.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real PostgreSQL server for tests: the zonky embedded binaries (no Docker; when run as root the
 * library starts postgres as an unprivileged user), or an existing server named by the environment.
 *
 * <p>{@code CONDUCTOR_DB_URL} (a JDBC url) with {@code CONDUCTOR_DB_USER} and {@code
 * CONDUCTOR_DB_PASSWORD} selects an existing server; {@link #close()} then leaves it running.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  public static final String ENV_URL = "CONDUCTOR_DB_URL";
  public static final String ENV_USER = "CONDUCTOR_DB_USER";
  public static final String ENV_PASSWORD = "CONDUCTOR_DB_PASSWORD";

  private static final String HOST = "127.0.0.1";
  private static final String USER = "postgres";
  private static final String DATABASE = "postgres";

  private final EmbeddedPostgres postgres;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedDatabase(
      EmbeddedPostgres postgres, String jdbcUrl, String user, String password) {
    this.postgres = postgres;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /** The server of {@code CONDUCTOR_DB_URL} if set, else a fresh embedded one on a free port. */
  public static EmbeddedDatabase start() {
    String url = System.getenv(ENV_URL);
    if (url != null && !url.isBlank()) {
      return external(
          url, System.getenv().getOrDefault(ENV_USER, USER), System.getenv(ENV_PASSWORD));
    }
    return embedded(0, null);
  }

  /**
   * Starts an embedded server.
   *
   * @param port 0 for a free one
   * @param dataDir kept across restarts when given; {@code null} for a temp one deleted on close
   */
  public static EmbeddedDatabase embedded(int port, Path dataDir) {
    return embedded(port, dataDir, PostgresBinaries.defaultWorkingDir(), false);
  }

  /**
   * As {@link #embedded(int, Path)}, with the binaries unpacked under {@code binariesDir}. zonky
   * starts the server without fsync and with {@code synchronous_commit=off}, which is right for
   * tests; {@code durable} turns both back on, so that a benchmark pays for its commits.
   */
  static EmbeddedDatabase embedded(int port, Path dataDir, Path binariesDir, boolean durable) {
    Logs.quietServers();
    PostgresBinaries.Prepared binaries = PostgresBinaries.prepare(binariesDir);
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setPgBinaryResolver(binaries.resolver())
            .setOverrideWorkingDirectory(binaries.workingDir().toFile())
            .setPort(port == 0 ? Ports.free() : port)
            .setServerConfig("listen_addresses", HOST)
            // Many services and test classes share one server.
            .setServerConfig("max_connections", "200");
    if (durable) {
      builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
    }
    if (dataDir != null) {
      builder.setDataDirectory(dataDir.toAbsolutePath()).setCleanDataDirectory(false);
    }
    try {
      EmbeddedPostgres postgres = builder.start();
      String url = "jdbc:postgresql://" + HOST + ":" + postgres.getPort() + "/" + DATABASE;
      // The embedded cluster trusts local connections; the password is there for clients that
      // insist on one.
      return new EmbeddedDatabase(postgres, url, USER, USER);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start", e);
    }
  }

  /** An existing server; {@link #close()} leaves it alone. */
  public static EmbeddedDatabase external(String jdbcUrl, String user, String password) {
    if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException("not a jdbc:postgresql:// url: " + jdbcUrl);
    }
    return new EmbeddedDatabase(null, jdbcUrl, user, password == null ? "" : password);
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  /**
   * The same server in the form the Vert.x reactive client takes: {@code postgresql://h:p/db}. JDBC
   * query parameters are dropped: the reactive client would pass unknown ones to the server.
   */
  public String reactiveUrl() {
    String url = jdbcUrl.substring("jdbc:".length());
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** Stops an embedded server (its temp data directory goes with it). Idempotent. */
  @Override
  public void close() {
    if (postgres == null || !closed.compareAndSet(false, true)) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
