package dev.conductor.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.scheduler.attempt.AttemptRow;
import dev.conductor.scheduler.slot.Usage;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static AttemptRow waiting(int slots) {
    return new AttemptRow(
        UUID.randomUUID(),
        "r",
        "s" + slots,
        1,
        "dev",
        slots,
        "waiting",
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void grantsInFifoOrderWhileSlotsLast() {
    List<Placement.Decision> d =
        Placement.plan(new Usage(4, 1), List.of(waiting(1), waiting(2), waiting(1)));
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(true, true, false);
    assertThat(d.get(2).reason()).isEqualTo(Placement.CAPACITY);
    assertThat(d.get(2).numbers())
        .containsEntry("capacity", 4L)
        .containsEntry("used", 4L)
        .containsEntry("needed", 1L);
  }

  @Test
  void aBlockedAttemptHoldsBackSmallerOnesBehindIt() {
    List<Placement.Decision> d = Placement.plan(new Usage(4, 2), List.of(waiting(4), waiting(1)));
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(false, false);
    assertThat(d.get(0).reason()).isEqualTo(Placement.CAPACITY);
    assertThat(d.get(1).reason()).isEqualTo(Placement.QUEUE);
    assertThat(d.get(1).numbers()).containsEntry("ahead", 1L);
  }

  @Test
  void anAttemptLargerThanThePoolBlocksNobody() {
    List<Placement.Decision> d = Placement.plan(new Usage(4, 0), List.of(waiting(8), waiting(2)));
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(false, true);
    assertThat(d.get(0).reason()).isEqualTo(Placement.CAPACITY);
  }

  @Test
  void nothingRunsWithoutCapacity() {
    assertThat(Placement.plan(new Usage(0, 0), List.of(waiting(1))))
        .extracting(Placement.Decision::grant)
        .containsExactly(false);
  }

  @Test
  void aPausedPoolGrantsNothingAndSaysWhy() {
    List<Placement.Decision> d = Placement.plan(new Usage(4, 1), List.of(waiting(1)), true);
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(false);
    assertThat(d.get(0).reason()).isEqualTo(Placement.PAUSED);
    assertThat(d.get(0).numbers())
        .containsEntry("capacity", 4L)
        .containsEntry("used", 1L)
        .containsEntry("needed", 1L);
  }
}
