package dev.conductor.platform.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** This service on the bus, and the shared producer's tuning ({@code conductor.kafka.*}). */
@ConfigMapping(prefix = "conductor.kafka")
public interface KafkaSettings {
  /**
   * This service's Kafka principal (its SASL user name), one of {@code
   * dev.conductor.events.Principals}: the topics only this service writes ({@code
   * conductor.changes.<principal>}, {@code conductor.dlq.<principal>}) are named after it, and the
   * ACLs are granted to it.
   */
  String principal();

  /**
   * The principal's SCRAM password (env {@code CONDUCTOR_KAFKA_PASSWORD}). Required, so that a
   * service without it refuses to start naming it, before any channel tries to log in. The SmallRye
   * channels and {@link KafkaClients} read it through {@code kafka.sasl.jaas.config}.
   */
  String password();

  /**
   * How long the producer waits to fill a batch: the records of many transactions then share one
   * produce request, for a few milliseconds of latency.
   */
  @WithDefault("5ms")
  Duration linger();
}
