package dev.conductor.executor.registration;

import dev.conductor.executor.pool.ExecutorConfig;
import dev.conductor.executor.pool.ExecutorIdentity;
import dev.conductor.executor.scheduler.SchedulerClient;
import dev.conductor.platform.auth.ServiceTokens;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Declares this executor's slots to the scheduler at start and every lease/3, so the pool's
 * capacity is the sum over live executors. Runs on its own thread because the call blocks; a
 * failure is logged and retried sooner (1 s, doubling) until the scheduler answers again.
 */
@ApplicationScoped
public class Registration {
  private static final Logger LOG = Logger.getLogger(Registration.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  // A registration is one small call; retrying it every few seconds costs nothing, while a long
  // back-off kept a freshly started executor unready for up to 8 s after the scheduler was up.
  private static final Duration LAST_RETRY = Duration.ofSeconds(2);

  private final SchedulerClient scheduler;
  private final ExecutorIdentity identity;
  private final Duration lease;
  private final Clock clock;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "executor-registration");
            t.setDaemon(true);
            return t;
          });
  private volatile Instant lastSuccess;
  private volatile String lastError = "not registered yet";
  private Duration retry = FIRST_RETRY;

  private final ServiceTokens tokens;

  public Registration(
      SchedulerClient scheduler,
      ExecutorIdentity identity,
      ExecutorConfig config,
      ServiceTokens tokens,
      Clock clock) {
    this.scheduler = scheduler;
    this.tokens = tokens;
    this.identity = identity;
    this.lease = config.lease();
    this.clock = clock;
  }

  void start(@Observes StartupEvent event) {
    // Without its credentials an executor can neither register nor claim: refuse to start.
    tokens.requireCredentials();
    LOG.infof(
        "executor %s of pool %s with %d slots", identity.id(), identity.pool(), identity.slots());
    timer.execute(this::renew);
  }

  void stop(@Observes ShutdownEvent event) {
    timer.shutdownNow();
  }

  /** True while the last registration is younger than the lease, i.e. the pool counts our slots. */
  public boolean registered() {
    Instant last = lastSuccess;
    return last != null && clock.instant().isBefore(last.plus(lease));
  }

  public Instant lastSuccess() {
    return lastSuccess;
  }

  public String lastError() {
    return lastError;
  }

  private void renew() {
    Duration next;
    try {
      int capacity = scheduler.register(identity.pool(), identity.id(), identity.slots());
      if (lastSuccess == null) {
        LOG.infof("registered with the scheduler; pool %s capacity %d", identity.pool(), capacity);
      }
      lastSuccess = clock.instant();
      lastError = null;
      retry = FIRST_RETRY;
      next = lease.dividedBy(3);
    } catch (RuntimeException e) {
      lastError = e.getMessage();
      next = retry;
      LOG.warnf("registration failed (%s); retrying in %d ms", e.getMessage(), next.toMillis());
      Duration doubled = retry.multipliedBy(2);
      Duration cap = lease.dividedBy(3).compareTo(LAST_RETRY) < 0 ? lease.dividedBy(3) : LAST_RETRY;
      retry = doubled.compareTo(cap) > 0 ? cap : doubled;
    }
    if (!timer.isShutdown()) {
      timer.schedule(this::renew, next.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
