package dev.conductor.platform.db;

import com.fasterxml.jackson.core.JacksonException;
import dev.conductor.platform.kafka.Rejected;
import dev.conductor.platform.problem.ProblemException;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells a failure of Conductor's own infrastructure (its database, Kafka, another Conductor
 * service, a timeout), which is retried for as long as it lasts, from a verdict on the record
 * itself, which sends that record to the DLQ.
 */
public final class Failures {
  private Failures() {}

  public static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Rejected) {
        return false;
      }
      if (t instanceof ProblemException p) {
        return p.type().isTransient();
      }
      if (t instanceof PgException pg) {
        return transientSqlState(pg.getSqlState());
      }
      if (t instanceof JacksonException) {
        return false; // malformed JSON stays malformed
      }
      if (t instanceof IOException
          || t instanceof TimeoutException
          || t instanceof RetriableException
          || t instanceof java.sql.SQLTransientException
          || t instanceof java.sql.SQLRecoverableException
          // The reactive client's closed connections and pool time-outs.
          || t instanceof VertxException
          || t.getClass().getName().equals("io.vertx.core.impl.NoStackTraceThrowable")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Connection trouble (08), serialization failure and deadlock (40), too many connections or no
   * space (53), a server shutting down (57P), lock time-outs (55P03): the same statement may
   * succeed later. Anything else (a constraint, bad data, a bug) will fail again.
   */
  static boolean transientSqlState(String state) {
    if (state == null) {
      return false;
    }
    return state.startsWith("08")
        || state.startsWith("40")
        || state.startsWith("53")
        || state.startsWith("57P")
        || state.equals("55P03");
  }
}
