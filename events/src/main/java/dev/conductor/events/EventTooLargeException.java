package dev.conductor.events;

/**
 * An event would exceed {@link KafkaEvents#MAX_VALUE_BYTES}: refused where it is created, so it
 * never reaches the outbox or the broker (an API answers 422; a consumer dead-letters its cause).
 */
public class EventTooLargeException extends IllegalArgumentException {
  private final transient EventType type;
  private final int bytes;

  public EventTooLargeException(EventType type, int bytes) {
    super(
        "a "
            + type.type()
            + " event of "
            + bytes
            + " bytes exceeds the limit of "
            + KafkaEvents.MAX_VALUE_BYTES
            + " bytes");
    this.type = type;
    this.bytes = bytes;
  }

  public EventType eventType() {
    return type;
  }

  public int bytes() {
    return bytes;
  }
}
