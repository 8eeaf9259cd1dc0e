package dev.conductor.executor.control;

import dev.conductor.executor.pool.ExecutorIdentity;
import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * Gives the {@code control} channel a consumer group of its own per executor: a cancel must reach
 * the one executor that runs the attempt, and only the executors know which one that is.
 */
@ApplicationScoped
public class ControlGroup implements ClientCustomizer<Map<String, Object>> {
  static final String CHANNEL = "control";

  private final ExecutorIdentity identity;

  public ControlGroup(ExecutorIdentity identity) {
    this.identity = identity;
  }

  @Override
  public Map<String, Object> customize(String channel, Config config, Map<String, Object> client) {
    if (CHANNEL.equals(channel)) {
      client.put("group.id", "executor-control-" + identity.id());
    }
    return client;
  }
}
