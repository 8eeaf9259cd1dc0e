package dev.conductor.audit.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of re-walking every chain. {@code records} counts the records checked: all of them
 * when ok, up to and including {@code firstBad} otherwise. {@code checkpoints} names each chain
 * whose oldest records the ledger retention dropped: it verifies from there, not from genesis.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record VerifyReport(
    boolean ok, int chains, long records, BadRecord firstBad, List<Checkpoint> checkpoints) {
  /** Records up to {@code seq} of {@code chain} were dropped at {@code droppedAt}. */
  public record Checkpoint(int chain, long seq, Instant droppedAt) {}
}
