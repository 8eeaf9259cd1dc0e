package dev.conductor.broker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Settings under {@code conductor.broker}. */
@ConfigMapping(prefix = "conductor.broker")
public interface BrokerConfig {
  /** This broker's own issuer URL: the {@code iss} of every token it signs. */
  String issuer();

  /**
   * The policy seed ({@code classpath:<resource>} or a file path): roles, assignments, identities
   * and the clients with their secrets. There is no built-in one, so that no known secret exists
   * unless someone configured it: {@code ./conductor up} and the test kit write their own.
   */
  Optional<String> seedFile();

  /** Lifetime of client-credentials tokens and the upper bound of job credentials. */
  @WithDefault("PT15M")
  Duration tokenLifetime();

  /**
   * Pool name to the file of its public encryption JWK ({@code conductor.broker.pool-keys.dev}).
   */
  Map<String, String> poolKeys();

  Keys keys();

  /** The issuer's signing keys. */
  interface Keys {
    /** A signing key older than this is retired and a new one made. */
    @WithDefault("P30D")
    Duration rotation();

    /** A retired key stays in the JWKS this long, well past the longest token lifetime. */
    @WithDefault("PT24H")
    Duration retention();

    /** How often an instance re-reads the keys (to see other instances' rotations). */
    @WithDefault("PT1M")
    Duration refresh();

    /**
     * Optional base64 AES-256 key; when set, private keys are stored encrypted with it (JWE dir,
     * A256GCM).
     */
    Optional<String> encryptionKey();
  }
}
