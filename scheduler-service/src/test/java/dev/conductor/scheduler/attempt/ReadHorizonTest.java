package dev.conductor.scheduler.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ReadHorizonTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private final ReadHorizon horizon = new ReadHorizon(Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aConsumerThatIsNotBehindJudgesLeasesByTheClock() {
    assertThat(horizon.horizon()).isEqualTo(NOW);
    horizon.read(System.currentTimeMillis());
    assertThat(horizon.horizon()).isBetween(NOW.minusSeconds(1), NOW);
  }

  @Test
  void aConsumerFortySecondsBehindGivesLeasesFortySecondsMore() {
    horizon.read(System.currentTimeMillis() - 40_000);
    // Minus the wall-clock time this test took since the read: under a second.
    assertThat(horizon.horizon()).isBetween(NOW.minusSeconds(40), NOW.minusSeconds(39));
  }
}
