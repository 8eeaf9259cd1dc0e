package dev.conductor.platform.timer;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A reactive task on a Vert.x timer. A pass that outlasts the interval is not overlapped by the
 * next one, and a failed pass only logs: the next tick tries again. The one timer of every
 * service's background work (sweepers, configuration followers).
 */
public final class Periodic {
  private final Vertx vertx;
  private final Supplier<Uni<Void>> pass;
  private final String failureMessage;
  private final Logger log;
  private final AtomicBoolean busy = new AtomicBoolean();
  private volatile long timer = -1;

  /**
   * @param failureMessage logged at WARN with the failure's message appended after ": "
   */
  public Periodic(Vertx vertx, Supplier<Uni<Void>> pass, String failureMessage, Logger log) {
    this.vertx = vertx;
    this.pass = pass;
    this.failureMessage = failureMessage;
    this.log = log;
  }

  public void start(Duration interval) {
    timer = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> tick());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void tick() {
    if (!busy.compareAndSet(false, true)) {
      return;
    }
    pass.get()
        .subscribe()
        .with(
            done -> busy.set(false),
            failure -> {
              busy.set(false);
              log.warnf("%s: %s", failureMessage, failure.getMessage());
            });
  }
}
