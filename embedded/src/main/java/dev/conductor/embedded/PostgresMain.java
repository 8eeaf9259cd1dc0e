package dev.conductor.embedded;

import java.util.concurrent.CountDownLatch;

/**
 * Runs an embedded PostgreSQL as its own process, for end-to-end tests and the local runner.
 *
 * <pre>java -cp CP dev.conductor.embedded.PostgresMain --port 0 --dir D [--durable true]</pre>
 *
 * <p>Prints {@code POSTGRES READY <jdbcUrl>} once it accepts connections (user and password {@code
 * postgres}) and stops the server on SIGTERM or when its launcher is gone; a start that fails
 * prints {@code POSTGRES FAILED <cause and fix>}. With {@code --dir} the data survives restarts.
 */
public final class PostgresMain {
  private PostgresMain() {}

  public static void main(String[] args) throws InterruptedException {
    Logs.forMain();
    Mains.exitWithParent();
    MainArgs parsed = new MainArgs(args, "port", "dir", "durable");
    EmbeddedDatabase db;
    try {
      db =
          EmbeddedDatabase.embedded(
              parsed.port(),
              parsed.dir(),
              PostgresBinaries.defaultWorkingDir(),
              Boolean.parseBoolean(parsed.get("durable", "false")));
    } catch (RuntimeException e) {
      Mains.failed("POSTGRES", e);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  db.close();
                  stopped.countDown();
                },
                "postgres-main-shutdown"));
    System.out.println("POSTGRES READY " + db.jdbcUrl());
    System.out.flush();
    stopped.await();
  }
}
