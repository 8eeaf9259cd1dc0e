package dev.conductor.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PollHandlerTest {
  /** A burst's polls hold hundreds of events whose steps complete at once (appends in memory). */
  @Test
  void stepsThatCompleteAtOnceRunInOrderWithoutOverflowingTheStack() {
    List<Integer> items = IntStream.range(0, 100_000).boxed().toList();
    List<Integer> seen = new ArrayList<>();
    PollHandler.inOrder(
            items,
            i -> {
              seen.add(i);
              return Uni.createFrom().voidItem();
            })
        .await()
        .atMost(Duration.ofSeconds(30));
    assertThat(seen).isEqualTo(items);
  }

  @Test
  void aFailingStepStopsTheRest() {
    List<Integer> seen = new ArrayList<>();
    Uni<Void> all =
        PollHandler.inOrder(
            List.of(1, 2, 3),
            i -> {
              seen.add(i);
              return i == 2
                  ? Uni.createFrom().failure(new IllegalStateException("two"))
                  : Uni.createFrom().voidItem();
            });
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> all.await().indefinitely())
        .hasMessage("two");
    assertThat(seen).containsExactly(1, 2);
  }
}
