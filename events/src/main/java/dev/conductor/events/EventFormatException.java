package dev.conductor.events;

/** A message that is not a valid Conductor event; consumers send it to the DLQ with this reason. */
public class EventFormatException extends RuntimeException {
  public EventFormatException(String message) {
    super(message);
  }
}
