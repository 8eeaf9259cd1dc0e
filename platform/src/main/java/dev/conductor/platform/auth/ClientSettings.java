package dev.conductor.platform.auth;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * This service's own client credentials, for calls to other services ({@code conductor.client.*});
 * a service that calls none leaves them unset.
 */
@ConfigMapping(prefix = "conductor.client")
public interface ClientSettings {
  /** The broker's token endpoint. */
  Optional<String> tokenUrl();

  Optional<String> id();

  Optional<String> secret();
}
