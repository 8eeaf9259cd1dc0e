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
        "queue",
        null,
        null,
        null,
        null,
        0);
  }

  @Test
  void dispatchesInFifoOrderWhileCapacityLasts() {
    List<Placement.Decision> d =
        Placement.plan(new Usage(4, 1, 0, 0, 4), List.of(waiting(1), waiting(2), waiting(1)));
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(true, true, false);
    assertThat(d.get(2).reason()).isEqualTo(Placement.CAPACITY);
    assertThat(d.get(2).numbers())
        .containsEntry("capacity", 4L)
        .containsEntry("used", 1L)
        .containsEntry("dispatched", 3L)
        .containsEntry("window", 0L)
        .containsEntry("needed", 1L);
  }

  @Test
  void theWindowDispatchesAheadOfCapacityCountingWhatIsOnItsWay() {
    // 4 slots, all held, 2 already on their way, window 4: room for 2 more slots.
    List<Placement.Decision> d =
        Placement.plan(new Usage(4, 4, 2, 4, 4), List.of(waiting(1), waiting(1), waiting(1)));
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(true, true, false);
    assertThat(d.get(2).numbers()).containsEntry("dispatched", 4L);
    assertThat(new Usage(4, 4, 2, 4, 4).room()).isEqualTo(2);
    assertThat(new Usage(4, 4, 8, 4, 4).room()).isZero();
  }

  @Test
  void aBlockedAttemptHoldsBackSmallerOnesBehindIt() {
    List<Placement.Decision> d =
        Placement.plan(new Usage(4, 2, 0, 0, 4), List.of(waiting(4), waiting(1)));
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(false, false);
    assertThat(d.get(0).reason()).isEqualTo(Placement.CAPACITY);
    assertThat(d.get(1).reason()).isEqualTo(Placement.QUEUE);
    assertThat(d.get(1).numbers()).containsEntry("ahead", 1L);
  }

  @Test
  void anAttemptLargerThanThePoolBlocksNobody() {
    // The window does not make a pool larger: 8 slots never fit 4, however far ahead it runs.
    List<Placement.Decision> d =
        Placement.plan(new Usage(4, 0, 0, 4, 4), List.of(waiting(8), waiting(2)));
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(false, true);
    assertThat(d.get(0).reason()).isEqualTo(Placement.CAPACITY);
  }

  @Test
  void anAttemptLargerThanEveryExecutorBlocksNobodyWhateverThePoolsSum() {
    // Two executors of 4: the pool has 8, but an 8-slot job runs on one executor and never fits.
    List<Placement.Decision> d =
        Placement.plan(new Usage(8, 0, 0, 8, 4), List.of(waiting(8), waiting(4)));
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(false, true);
    assertThat(d.get(0).numbers()).containsEntry("largestExecutor", 4L);
  }

  @Test
  void nothingIsDispatchedWithoutCapacity() {
    assertThat(Placement.plan(new Usage(0, 0, 0, 0, 0), List.of(waiting(1))))
        .extracting(Placement.Decision::grant)
        .containsExactly(false);
  }

  @Test
  void aPausedPoolDispatchesNothingAndSaysWhy() {
    List<Placement.Decision> d =
        Placement.plan(new Usage(4, 1, 0, 4, 4), List.of(waiting(1)), true);
    assertThat(d).extracting(Placement.Decision::grant).containsExactly(false);
    assertThat(d.get(0).reason()).isEqualTo(Placement.PAUSED);
    assertThat(d.get(0).numbers())
        .containsEntry("capacity", 4L)
        .containsEntry("used", 1L)
        .containsEntry("needed", 1L);
  }
}
