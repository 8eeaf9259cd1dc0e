package dev.conductor.executor.pool;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** This executor's deployment: one pool, its slots and the pool's private key. */
@ConfigMapping(prefix = "conductor.executor")
public interface ExecutorConfig {
  /** The pool (= environment) this deployment serves. */
  String pool();

  /** Stable id across restarts if set; otherwise {@code <pool>-<hostname>-<random>}. */
  Optional<String> id();

  /** Attempts this executor runs at once; also the capacity it declares to the scheduler. */
  @WithDefault("4")
  int slots();

  /** The pool's private EC JWK (or JWK set during a key rotation). */
  Optional<Path> privateKeyFile();

  /** How long a registration keeps this executor's slots in the pool; renewed every lease/3. */
  @WithDefault("30s")
  Duration lease();

  /** How long running attempts may finish after shutdown begins. */
  @WithDefault("10s")
  Duration shutdownGrace();
}
