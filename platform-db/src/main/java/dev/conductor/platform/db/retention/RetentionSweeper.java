package dev.conductor.platform.db.retention;

import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.timer.Periodic;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Sweeps every {@link RetentionRule} every {@code conductor.retention.sweep-every} (PT1M): rows
 * older than the rule's retention are deleted in batches of {@code conductor.retention.batch}
 * (1000), each batch its own transaction, at most {@code conductor.retention.max-batches} (100) per
 * rule and pass, so a large backlog is worked off over several passes without long locks. One
 * instance sweeps a rule at a time (a transaction-scoped advisory try-lock per rule); the others
 * skip it.
 */
@ApplicationScoped
public class RetentionSweeper {
  private static final Logger LOG = Logger.getLogger(RetentionSweeper.class);
  // Advisory locks are database-wide, and services may share one database (a schema each): the
  // key names the schema, so one service's sweep of its inbox never makes another skip its own.
  private static final String TRY_LOCK =
      "SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '/retention/' || $1))";

  private final Transactions transactions;
  private final List<RetentionRule> rules;
  private final Clock clock;
  private final Duration every;
  private final int batch;
  private final int maxBatches;
  private final Periodic periodic;

  public RetentionSweeper(
      Vertx vertx,
      Transactions transactions,
      Instance<RetentionRule> rules,
      Clock clock,
      RetentionSettings settings) {
    this.transactions = transactions;
    this.rules = rules.stream().toList();
    this.clock = clock;
    this.every = settings.sweepEvery();
    this.batch = settings.batch();
    this.maxBatches = settings.maxBatches();
    this.periodic = new Periodic(vertx, this::sweep, "retention sweep failed", LOG);
  }

  void start(@Observes StartupEvent event) {
    if (!rules.isEmpty()) {
      periodic.start(every);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    periodic.stop();
  }

  /** One pass over every rule; answers once all are done. */
  public Uni<Void> sweep() {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (RetentionRule rule : rules) {
      if (rule.retention().isPresent()) {
        Instant cutoff = clock.instant().minus(rule.retention().get());
        chain = chain.chain(() -> sweep(rule, cutoff, 0, 0));
      }
    }
    return chain;
  }

  private Uni<Void> sweep(RetentionRule rule, Instant cutoff, int batches, long total) {
    return transactions
        .run(
            tx ->
                tx.preparedQuery(TRY_LOCK)
                    .execute(Tuple.of(rule.name()))
                    .chain(
                        rows ->
                            rows.iterator().next().getBoolean(0)
                                ? rule.sweep(tx, cutoff, batch)
                                : Uni.createFrom().item(-1)))
        .chain(
            deleted -> {
              long sum = total + Math.max(0, deleted);
              if (deleted == batch && batches + 1 < maxBatches) {
                return sweep(rule, cutoff, batches + 1, sum);
              }
              if (sum > 0) {
                LOG.infof(
                    "retention: deleted %d %s older than %s (%s)",
                    sum, rule.name(), cutoff, rule.setting());
              }
              return Uni.createFrom().voidItem();
            });
  }
}
