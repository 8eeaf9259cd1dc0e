package dev.conductor.executor.attempt;

import dev.conductor.executor.pool.ExecutorConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * At shutdown: stop taking jobs (the {@code jobs} channel is paused, unclaimed records stay
 * unacknowledged for another executor of the group), then give running attempts the grace period to
 * finish and publish their outcome, before Kafka clients close.
 */
@ApplicationScoped
public class GracefulShutdown {
  private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

  private final ChannelRegistry channels;
  private final Attempts attempts;
  private final ExecutorConfig config;

  public GracefulShutdown(ChannelRegistry channels, Attempts attempts, ExecutorConfig config) {
    this.channels = channels;
    this.attempts = attempts;
    this.config = config;
  }

  void onShutdown(@Observes ShutdownEvent event) {
    PausableChannel jobs = channels.getPausable("jobs");
    if (jobs != null) {
      jobs.pause();
    }
    attempts.drain(config.shutdownGrace());
    LOG.info("executor drained");
  }
}
