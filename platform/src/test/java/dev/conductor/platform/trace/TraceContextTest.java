package dev.conductor.platform.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceContextTest {
  private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @Test
  void aChildKeepsTheTraceAndFlagsWithANewSpan() {
    String child = TraceContext.childOf(PARENT);

    assertThat(TraceContext.isValid(child)).isTrue();
    assertThat(TraceContext.traceId(child)).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(child).endsWith("-01").isNotEqualTo(PARENT);
  }

  @Test
  void withoutAValidParentANewTraceStarts() {
    for (String parent : new String[] {null, "", "garbage", "01-" + PARENT.substring(3)}) {
      String child = TraceContext.childOf(parent);
      assertThat(TraceContext.isValid(child)).isTrue();
      assertThat(TraceContext.traceId(child)).isNotEqualTo("0af7651916cd43dd8448eb211c80319c");
    }
  }

  @Test
  void newTracesDiffer() {
    assertThat(TraceContext.traceId(TraceContext.newTrace()))
        .isNotEqualTo(TraceContext.traceId(TraceContext.newTrace()));
  }
}
