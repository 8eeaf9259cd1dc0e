package dev.conductor.executor.control;

import dev.conductor.events.Principals;
import dev.conductor.executor.pool.ExecutorConfig;
import dev.conductor.executor.pool.ExecutorIdentity;
import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * Gives the {@code control} channel a consumer group of its own per executor: a cancel must reach
 * the one executor that runs the attempt, and only the executors know which one that is. The name
 * starts with the pool's principal, the prefix of the groups the bus lets it use.
 */
@ApplicationScoped
public class ControlGroup implements ClientCustomizer<Map<String, Object>> {
  static final String CHANNEL = "control";

  private final ExecutorIdentity identity;
  private final String principal;

  public ControlGroup(ExecutorIdentity identity, ExecutorConfig config) {
    this.identity = identity;
    this.principal = Principals.executor(config.pool());
  }

  @Override
  public Map<String, Object> customize(String channel, Config config, Map<String, Object> client) {
    if (CHANNEL.equals(channel)) {
      client.put("group.id", principal + "-control-" + identity.id());
    }
    return client;
  }
}
