package dev.conductor.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conductor.events.data.RunQueued;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  private final Clock clock = Clock.fixed(Samples.T0, ZoneOffset.UTC);

  @Test
  void rejectsDataOfAnotherType() {
    Object queued = Samples.data(EventType.RUN_QUEUED);

    assertThatThrownBy(
            () ->
                new Envelope<>(
                    "evt-1",
                    EventType.RUN_REQUESTED,
                    Envelope.sourceOf("trigger-service"),
                    Samples.RUN_ID,
                    Samples.T0,
                    null,
                    Samples.RUN_ID,
                    queued))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(EventType.RUN_REQUESTED.type())
        .hasMessageContaining("RunQueued");
  }

  @Test
  void rejectsDataThatIsNotARecordOfTheType() {
    assertThatThrownBy(
            () ->
                Envelope.of(
                    EventType.RUN_QUEUED,
                    Envelope.sourceOf("scheduler-service"),
                    Samples.RUN_ID,
                    "{\"runId\":\"run-1\"}",
                    clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requiresItsAttributes() {
    RunQueued data = (RunQueued) Samples.data(EventType.RUN_QUEUED);
    String source = Envelope.sourceOf("scheduler-service");

    assertThatNullPointerException()
        .isThrownBy(
            () ->
                new Envelope<>(
                    null, EventType.RUN_QUEUED, source, "r", Samples.T0, null, "r", data));
    assertThatNullPointerException()
        .isThrownBy(() -> new Envelope<>("id", null, source, "r", Samples.T0, null, "r", data));
    assertThatNullPointerException()
        .isThrownBy(
            () ->
                new Envelope<>("id", EventType.RUN_QUEUED, null, "r", Samples.T0, null, "r", data));
    assertThatNullPointerException()
        .isThrownBy(
            () -> new Envelope<>("id", EventType.RUN_QUEUED, source, "r", null, null, "r", data));
    assertThatNullPointerException()
        .isThrownBy(
            () ->
                new Envelope<>(
                    "id", EventType.RUN_QUEUED, source, "r", Samples.T0, null, null, data));
    assertThatNullPointerException()
        .isThrownBy(
            () ->
                new Envelope<>(
                    "id", EventType.RUN_QUEUED, source, "r", Samples.T0, null, "r", null));
  }

  @Test
  void ofKeysAndSubjectsByRunAndTakesTimeFromTheClock() {
    RunQueued data = (RunQueued) Samples.data(EventType.RUN_QUEUED);

    Envelope<RunQueued> envelope =
        Envelope.of(
            EventType.RUN_QUEUED,
            Envelope.sourceOf("scheduler-service"),
            Samples.RUN_ID,
            data,
            clock);

    assertThat(envelope.key()).isEqualTo(Samples.RUN_ID);
    assertThat(envelope.subject()).isEqualTo(Samples.RUN_ID);
    assertThat(envelope.time()).isEqualTo(Samples.T0);
    assertThat(envelope.causationId()).isNull();
    assertThat(envelope.source()).isEqualTo("/conductor/scheduler-service");
    assertThat(envelope.id()).isNotBlank();
    assertThat(Envelope.of(EventType.RUN_QUEUED, "/conductor/x", "r", data, clock).id())
        .isNotEqualTo(envelope.id());
  }

  @Test
  void causedByCarriesTheCause() {
    Envelope<Object> envelope =
        Envelope.causedBy(
            "evt-cause-9",
            EventType.RUN_QUEUED,
            Envelope.sourceOf("scheduler-service"),
            Samples.RUN_ID,
            Samples.data(EventType.RUN_QUEUED),
            clock);

    assertThat(envelope.causationId()).isEqualTo("evt-cause-9");
    assertThat(EventCodec.toCloudEvent(envelope).getExtension(EventCodec.CAUSATION_ID))
        .isEqualTo("evt-cause-9");
  }
}
