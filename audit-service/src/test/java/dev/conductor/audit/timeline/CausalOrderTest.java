package dev.conductor.audit.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausalOrderTest {
  private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void aRecordComesAfterItsCauseEvenWhenStampedEarlier() {
    TimelineRecord a = record("a", null, 0, 1);
    TimelineRecord b = record("b", "a", 5, 2);
    TimelineRecord c = record("c", "b", 1, 3); // skewed clock: earlier than its cause
    TimelineRecord d = record("d", "a", 2, 4);
    assertThat(CausalOrder.sort(List.of(c, d, b, a)).stream().map(TimelineRecord::id))
        .containsExactly("a", "d", "b", "c");
  }

  @Test
  void tiesAreBrokenByTimeThenSeqAndUnknownCausesAreRoots() {
    TimelineRecord x = record("x", "elsewhere", 3, 9);
    TimelineRecord y = record("y", null, 3, 2);
    TimelineRecord z = record("z", null, 1, 7);
    assertThat(CausalOrder.sort(List.of(x, y, z)).stream().map(TimelineRecord::id))
        .containsExactly("z", "y", "x");
  }

  @Test
  void aCycleDoesNotLoseRecords() {
    TimelineRecord p = record("p", "q", 1, 1);
    TimelineRecord q = record("q", "p", 2, 2);
    assertThat(CausalOrder.sort(List.of(q, p)).stream().map(TimelineRecord::id))
        .containsExactly("p", "q");
  }

  private static TimelineRecord record(String id, String cause, int second, long seq) {
    return new TimelineRecord(
        0, seq, "t", "type", id, "/s", cause, T.plusSeconds(second), null, null, "h");
  }
}
