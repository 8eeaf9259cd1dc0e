package dev.conductor.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import dev.conductor.events.EventFormatException;
import dev.conductor.platform.kafka.Rejected;
import dev.conductor.platform.problem.ProblemException;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;

class FailuresTest {
  @Test
  void infrastructureTroubleIsRetried() {
    assertThat(Failures.isTransient(new ConnectException("Connection refused"))).isTrue();
    assertThat(Failures.isTransient(new CompletionException(new ConnectException("refused"))))
        .as("found through the cause chain")
        .isTrue();
    assertThat(Failures.isTransient(new PgException("deadlock detected", "ERROR", "40P01", "")))
        .isTrue();
    assertThat(Failures.isTransient(new PgException("terminating", "FATAL", "57P01", ""))).isTrue();
    assertThat(Failures.isTransient(new NotEnoughReplicasException("acks"))).isTrue();
    assertThat(Failures.isTransient(ProblemException.unavailable("broker down"))).isTrue();
  }

  @Test
  void aVerdictOnTheRecordIsNot() {
    assertThat(Failures.isTransient(new Rejected("unknown attempt"))).isFalse();
    assertThat(Failures.isTransient(new EventFormatException("not a CloudEvent"))).isFalse();
    assertThat(
            Failures.isTransient(
                new PgException("duplicate key value", "ERROR", "23505", "violates unique")))
        .isFalse();
    assertThat(Failures.isTransient(new JsonParseException(null, "bad json"))).isFalse();
    assertThat(Failures.isTransient(new NullPointerException())).as("a bug").isFalse();
    assertThat(Failures.isTransient(ProblemException.forbidden("no"))).isFalse();
  }
}
