package dev.conductor.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DiagnosisTest {
  @Test
  void theLineTheProcessPrintedNamesTheCause() {
    String line =
        Diagnosis.of(
            "postgres",
            1,
            List.of(
                "Picked up JAVA_TOOL_OPTIONS: -Djava.io.tmpdir=/x",
                "POSTGRES FAILED could not unpack the PostgreSQL binaries into /x: free space there",
                "java.io.UncheckedIOException: could not unpack",
                "\tat dev.conductor.embedded.PostgresBinaries.prepare(PostgresBinaries.java:86)"));
    assertThat(line)
        .isEqualTo(
            "postgres could not start: could not unpack the PostgreSQL binaries into /x: free"
                + " space there");
  }

  @Test
  void knownFailuresGetTheirFix() {
    assertThat(Diagnosis.of("kafka", 1, List.of("java.io.IOException: No space left on device")))
        .contains("disk is full", "-Djava.io.tmpdir=DIR");
    assertThat(
            Diagnosis.of(
                "trigger-service",
                3,
                List.of("Terminating due to java.lang.OutOfMemoryError: Java heap space")))
        .contains("ran out of heap memory", "--heap");
    assertThat(Diagnosis.of("audit-service", 1, List.of("bind: Address already in use")))
        .contains("port", "--port-base");
  }

  @Test
  void anUnknownFailurePointsAtTheLog() {
    assertThat(Diagnosis.of("scheduler-service", 7, List.of("something odd")))
        .isEqualTo("scheduler-service exited with status 7 while starting; its log says why");
  }
}
