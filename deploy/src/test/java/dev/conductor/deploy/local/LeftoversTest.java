package dev.conductor.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoversTest {
  @TempDir Path state;

  @Test
  void theNextStartStopsWhatAKilledStartLeftRunning() throws Exception {
    Process orphan = new ProcessBuilder("sleep", "300").start();
    try {
      Leftovers.record(state, "kafka", orphan.pid());

      assertThat(Leftovers.stop(state)).containsExactly("kafka (pid " + orphan.pid() + ")");
      assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(Leftovers.stop(state)).as("noted once, stopped once").isEmpty();
    } finally {
      orphan.destroyForcibly();
    }
  }

  @Test
  void aProcessThatOnlyHasTheSamePidIsLeftAlone() throws Exception {
    Process stranger = new ProcessBuilder("sleep", "300").start();
    try {
      // Its pid, but the start time of another process: the pid was recycled.
      Files.createDirectories(state.resolve("pids"));
      Files.writeString(state.resolve("pids/postgres"), stranger.pid() + " 12345\n");

      assertThat(Leftovers.stop(state)).isEqualTo(List.of());
      assertThat(stranger.isAlive()).isTrue();
    } finally {
      stranger.destroyForcibly();
    }
  }
}
