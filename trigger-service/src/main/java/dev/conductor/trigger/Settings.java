package dev.conductor.trigger;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The trigger service's configuration ({@code conductor.trigger.*}). */
@ConfigMapping(prefix = "conductor.trigger")
public interface Settings {
  /** The environments (= the scheduler's pools) a pipeline may name. */
  @WithDefault("dev,test,prod")
  List<String> environments();

  /**
   * The scheduler's base URL: a started run's {@code Location} points there, where runs are
   * tracked; unset, it is a path only.
   */
  Optional<String> schedulerUrl();

  /**
   * The oldest a trigger event's token may be (its {@code iat}), as of the record's append time. A
   * producer reuses one token for many messages: the default is the broker's token lifetime, so a
   * token serves until it expires.
   */
  @WithDefault("15m")
  Duration tokenMaxAge();

  /**
   * The audience a token on {@code conductor.triggers} must name: its own, so that a token for the
   * REST API is not a trigger token and the other way round ({@code ./conductor token NAME --for
   * triggers}).
   */
  @WithDefault("conductor-triggers")
  String tokenAudience();

  /** How far the token's times may disagree with the broker's clock. */
  @WithDefault("60s")
  Duration tokenClockSkew();
}
