package dev.conductor.platform.kafka;

/**
 * A consumed event that can never be processed (bad data, unknown reference, failed check): it goes
 * to the DLQ at once, without retries.
 */
public class Rejected extends RuntimeException {
  public Rejected(String reason) {
    super(reason);
  }
}
