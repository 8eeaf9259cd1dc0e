package dev.conductor.scheduler.support;

import static org.awaitility.Awaitility.await;

import dev.conductor.events.Envelope;
import dev.conductor.events.data.ConfigChanged;
import io.restassured.response.ValidatableResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The global config sections through REST, as an operator holding config.read and config.write. */
public final class Config {
  private Config() {}

  /** A new principal allowed to read and write global configuration. */
  public static String operator() {
    String subject = Api.principalWith("config.write", "/");
    dev.conductor.testkit.AccessTestResource.grant(subject, "config.read", "/");
    return subject;
  }

  /** A fresh name for an item only this test uses. */
  public static String uniqueName(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * A new pool's name, provisioned on the bus (its topics and its executors' ACLs) as an operator
   * would before adding the pool to the section: the scheduler refuses a pool without its topics.
   */
  public static String provisionedPool(String prefix) {
    String pool = uniqueName(prefix);
    dev.conductor.testkit.KafkaTestResource.provision(pool);
    return pool;
  }

  public static Map<String, Object> get(String section) {
    return new LinkedHashMap<>(
        Api.as(operator())
            .get("/api/v1/config/{section}", section)
            .then()
            .statusCode(200)
            .extract()
            .as(Map.class));
  }

  public static ValidatableResponse put(String subject, String section, Object doc, boolean dry) {
    return Api.as(subject)
        .queryParam("dryRun", dry)
        .body(doc)
        .put("/api/v1/config/{section}", section)
        .then();
  }

  /** The section's version in force (a dry run of the current document answers it). */
  public static long version(String section) {
    return Long.parseLong(
        put(operator(), section, get(section), true).statusCode(200).extract().path("version"));
  }

  /** config.changed events of a global section, in order. */
  public static List<ConfigChanged> changes(String section) {
    return Events.changes("config/" + section).stream()
        .map(Envelope::data)
        .map(ConfigChanged.class::cast)
        .toList();
  }

  /** Waits for the config.changed that made {@code version}; returns every one for it. */
  public static List<ConfigChanged> awaitChange(String section, long version) {
    await()
        .atMost(Events.WAIT)
        .until(
            () ->
                changes(section).stream()
                    .anyMatch(c -> String.valueOf(version).equals(c.newVersion())));
    return changes(section).stream()
        .filter(c -> String.valueOf(version).equals(c.newVersion()))
        .toList();
  }
}
