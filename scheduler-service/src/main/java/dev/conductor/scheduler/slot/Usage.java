package dev.conductor.scheduler.slot;

/** A pool's slot capacity (live executors) and the slots its leases hold. */
public record Usage(long capacity, long used) {
  public boolean fits(int slots) {
    return used + slots <= capacity;
  }

  public Usage plus(int slots) {
    return new Usage(capacity, used + slots);
  }
}
