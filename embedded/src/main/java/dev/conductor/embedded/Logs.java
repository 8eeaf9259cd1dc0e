package dev.conductor.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Keeps the embedded servers' own logging out of test output. An in-JVM broker logs hundreds of
 * INFO lines (its whole config, every partition it loads) into whatever logging the tests use; only
 * warnings matter there. {@code -Dconductor.testkit.log.level=INFO} brings them back.
 *
 * <p>The first four categories are shared with the Kafka clients under test (config dumps, app-info
 * and metrics lifecycle); they carry only INFO noise there too, so they are lowered as well.
 */
final class Logs {
  /** Server-side categories; client categories other than the first four are left alone. */
  private static final List<String> SERVER_CATEGORIES =
      List.of(
          "org.apache.kafka.common.config.AbstractConfig",
          "org.apache.kafka.common.utils.AppInfoParser",
          "org.apache.kafka.common.metrics",
          "org.apache.kafka.common.telemetry",
          "kafka",
          "state.change.logger",
          "org.apache.kafka.controller",
          "org.apache.kafka.raft",
          "org.apache.kafka.metadata",
          "org.apache.kafka.image",
          "org.apache.kafka.server",
          "org.apache.kafka.storage",
          "org.apache.kafka.coordinator",
          "org.apache.kafka.queue",
          "io.zonky.test.db");

  // JUL holds loggers weakly: a level set on a collected logger would be lost.
  private static final List<Logger> PINNED = new ArrayList<>();

  private Logs() {}

  /** Lowers the embedded servers' categories to WARNING (or the configured level). */
  static synchronized void quietServers() {
    if (!PINNED.isEmpty()) {
      return;
    }
    Level level = level(System.getProperty("conductor.testkit.log.level", "WARNING"));
    for (String category : SERVER_CATEGORIES) {
      Logger logger = logger(category);
      logger.setLevel(level);
      PINNED.add(logger);
    }
  }

  /** Accepts the JUL names and the usual SLF4J ones (WARN, ERROR, DEBUG, TRACE). */
  private static Level level(String name) {
    return switch (name.toUpperCase(java.util.Locale.ROOT)) {
      case "WARN" -> Level.WARNING;
      case "ERROR" -> Level.SEVERE;
      case "DEBUG" -> Level.FINE;
      case "TRACE" -> Level.FINEST;
      default -> Level.parse(name.toUpperCase(java.util.Locale.ROOT));
    };
  }

  /**
   * The logger SLF4J writes to. Kafka and zonky log through SLF4J, which Quarkus binds to JBoss
   * LogManager; that is a different logger tree from JUL's unless JBoss LogManager is also the JUL
   * manager, so the level is set where SLF4J looks.
   */
  private static Logger logger(String category) {
    try {
      return org.jboss.logmanager.LogContext.getLogContext().getLogger(category);
    } catch (LinkageError noJbossLogManager) {
      return Logger.getLogger(category);
    }
  }

  /**
   * For the {@code *Main} processes, before anything logs: routes the libraries' SLF4J logging
   * (bound to JBoss LogManager through Quarkus on this classpath) into JUL, and prints warnings to
   * stderr so that stdout carries only the READY line.
   */
  static void forMain() {
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
    }
    Logger root = Logger.getLogger("");
    for (var handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    ConsoleHandler stderr = new ConsoleHandler();
    stderr.setFormatter(new SimpleFormatter());
    stderr.setLevel(Level.ALL);
    root.addHandler(stderr);
    root.setLevel(Level.WARNING);
    quietServers();
  }
}
