package dev.conductor.platform.kafka;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a consumer does with one poll inside its transaction: each first-seen event, then once
 * {@link #beforeCommit} (work that many events of the poll ask for but that is needed only once,
 * such as handing out a pool's free slots).
 */
public interface PollHandler {
  Uni<Void> apply(Consumed consumed);

  /**
   * The poll's first-seen events, in poll order. By default each in turn; a handler that can apply
   * some kinds of event to many rows in one statement overrides this.
   */
  default Uni<Void> applyAll(List<Consumed> firstSeen) {
    return inOrder(firstSeen, this::apply);
  }

  /**
   * {@code step} for each item, one after the other. Not a chain of one {@code Uni} per item: when
   * the steps complete at once (events appended in memory), such a chain runs on one stack, and a
   * poll of 500 overflowed it.
   */
  static <T> Uni<Void> inOrder(Iterable<T> items, Function<T, Uni<Void>> step) {
    return Multi.createFrom()
        .iterable(items)
        .onItem()
        .<Void>transformToUniAndConcatenate(step::apply)
        .collect()
        .asList()
        .replaceWithVoid();
  }

  default Uni<Void> beforeCommit() {
    return Uni.createFrom().voidItem();
  }

  /**
   * A handler that applies a poll's events together, in {@code applyAll} (a poll replayed one event
   * at a time hands it lists of one), then {@code beforeCommit}.
   */
  static PollHandler together(
      Function<List<Consumed>, Uni<Void>> applyAll, Supplier<Uni<Void>> beforeCommit) {
    return new PollHandler() {
      @Override
      public Uni<Void> apply(Consumed consumed) {
        return applyAll(List.of(consumed));
      }

      @Override
      public Uni<Void> applyAll(List<Consumed> firstSeen) {
        return applyAll.apply(firstSeen);
      }

      @Override
      public Uni<Void> beforeCommit() {
        return beforeCommit.get();
      }
    };
  }

  /** As {@link #together(Function, Supplier)} with nothing before the commit. */
  static PollHandler together(Function<List<Consumed>, Uni<Void>> applyAll) {
    return together(applyAll, () -> Uni.createFrom().voidItem());
  }

  static PollHandler of(Function<Consumed, Uni<Void>> apply, Supplier<Uni<Void>> beforeCommit) {
    return new PollHandler() {
      @Override
      public Uni<Void> apply(Consumed consumed) {
        return apply.apply(consumed);
      }

      @Override
      public Uni<Void> beforeCommit() {
        return beforeCommit.get();
      }
    };
  }
}
