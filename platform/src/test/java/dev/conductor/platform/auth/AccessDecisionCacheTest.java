package dev.conductor.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conductor.embedded.BusSecrets;
import dev.conductor.embedded.EmbeddedKafka;
import dev.conductor.embedded.Ports;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Principals;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.testkit.AccessServer;
import dev.conductor.testkit.TestIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access decisions are cached until the token expires or the broker announces a new policy version
 * on {@code conductor.changes} (a real broker, a real access-check server); without a current watch
 * they live only seconds.
 */
class AccessDecisionCacheTest {
  private static final String SCOPE = "/workspaces/demo/pipelines/etl";
  private static EmbeddedKafka kafka;
  private static TestIssuer issuer;
  private static AccessServer access;
  private PolicyWatch watch;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(List.of(), BusSecrets.generate(List.of()));
    issuer = TestIssuer.start();
    access = AccessServer.start(issuer);
  }

  @AfterAll
  static void stop() {
    access.close();
    issuer.close();
    kafka.close();
  }

  @AfterEach
  void stopWatch() {
    if (watch != null) {
      watch.stop();
    }
  }

  @Test
  void aDecisionStandsUntilTheBrokerAnnouncesANewPolicyVersion() {
    watch =
        new PolicyWatch(
            kafka.client(Principals.TRIGGER_SERVICE), Duration.ofMillis(200), Clock.systemUTC());
    HttpAccessChecker checker =
        new HttpAccessChecker(
            access.url(), Duration.ofSeconds(5), Duration.ofMinutes(10), watch, Clock.systemUTC());
    Caller carol = caller("carol-" + System.nanoTime(), Instant.now().plusSeconds(300));
    access.policyVersion("v1");
    watch.start();
    await("the watch is caught up").until(() -> watch.current(Duration.ofSeconds(10)));

    assertThat(check(checker, carol).allowed()).isFalse();
    grant(carol.subject());
    int asked = access.checks();
    // The broker would now allow, but nothing announced a change: the cached deny stands.
    assertThat(check(checker, carol).allowed()).isFalse();
    assertThat(access.checks()).isEqualTo(asked);

    // Only the broker's principal may write the topic; even so, a change that names another
    // source is not the broker's policy.
    announce(Envelope.sourceOf("scheduler-service"), "v2");
    access.policyVersion("v2");
    await("the scheduler's change is read").until(() -> watch.current(Duration.ofMillis(300)));
    assertThat(check(checker, carol).allowed()).isFalse();

    announce(PolicyWatch.BROKER, "v2");
    await("the broker's new version is seen")
        .atMost(Duration.ofSeconds(20))
        .until(() -> check(checker, carol).allowed());
    asked = access.checks();
    assertThat(check(checker, carol).allowed()).as("cached under v2").isTrue();
    assertThat(access.checks()).isEqualTo(asked);
  }

  @Test
  void withoutAWatchADecisionLivesSecondsAndNeverBeyondItsToken() {
    // Nothing listens on this port: the watch never catches up.
    watch =
        new PolicyWatch(
            Map.of("bootstrap.servers", "127.0.0.1:" + Ports.free()),
            Duration.ofMillis(200),
            Clock.systemUTC());
    MovableClock clock = new MovableClock();
    HttpAccessChecker checker =
        new HttpAccessChecker(
            access.url(), Duration.ofSeconds(5), Duration.ofMinutes(10), watch, clock);
    Caller dave = caller("dave-" + System.nanoTime(), clock.now.plusSeconds(300));

    assertThat(check(checker, dave).allowed()).isFalse();
    grant(dave.subject());
    clock.now = clock.now.plusSeconds(4);
    assertThat(check(checker, dave).allowed()).as("within the short lifetime").isFalse();
    clock.now = clock.now.plusSeconds(2);
    assertThat(check(checker, dave).allowed()).as("asked again").isTrue();

    Caller expiring = caller(dave.subject(), clock.now.plusSeconds(1));
    assertThat(check(checker, expiring).allowed()).isTrue();
    int asked = access.checks();
    clock.now = clock.now.plusSeconds(2);
    check(checker, expiring);
    assertThat(access.checks())
        .as("an expired token's decision is not reused")
        .isEqualTo(asked + 1);
  }

  @Test
  void aBurstWithOneTokenAsksTheBrokerOnceAndARefusedTokenIs401() {
    watch =
        new PolicyWatch(
            kafka.client(Principals.TRIGGER_SERVICE), Duration.ofMillis(200), Clock.systemUTC());
    HttpAccessChecker checker =
        new HttpAccessChecker(
            access.url(), Duration.ofSeconds(5), Duration.ofMinutes(10), watch, Clock.systemUTC());
    Caller erin = caller("erin-" + System.nanoTime(), Instant.now().plusSeconds(300));
    int before = access.checks();

    List<io.smallrye.mutiny.Uni<AccessDecision>> burst = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      burst.add(checker.check(erin, "pipeline.run", SCOPE));
    }
    List<?> answers =
        io.smallrye.mutiny.Uni.join()
            .all(burst)
            .andFailFast()
            .await()
            .atMost(Duration.ofSeconds(10));
    assertThat(answers).hasSize(50);
    assertThat(access.checks() - before).isEqualTo(1);

    Caller forged =
        new Caller(
            issuer.issuer(),
            "erin",
            List.of(),
            issuer.foreignToken("erin"),
            Instant.now().plusSeconds(60));
    assertThatThrownBy(() -> check(checker, forged))
        .isInstanceOfSatisfying(
            dev.conductor.platform.problem.ProblemException.class,
            e ->
                assertThat(e.type())
                    .isEqualTo(dev.conductor.platform.problem.ProblemType.UNAUTHENTICATED));
  }

  private static AccessDecision check(HttpAccessChecker checker, Caller caller) {
    return checker.check(caller, "pipeline.run", SCOPE).await().atMost(Duration.ofSeconds(10));
  }

  private static Caller caller(String subject, Instant expires) {
    return new Caller(
        issuer.issuer(), subject, List.of(), issuer.token(subject, List.of()), expires);
  }

  private static void grant(String subject) {
    String body =
        "{\"subject\":\""
            + subject
            + "\",\"permission\":\"pipeline.run\",\"scope\":\""
            + SCOPE
            + "\"}";
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(access.url() + "/grants"))
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void announce(String source, String version) {
    Envelope<ConfigChanged> event =
        new Envelope<>(
            java.util.UUID.randomUUID().toString(),
            EventType.CONFIG_CHANGED,
            source,
            "config/demo/assignments",
            Instant.now(),
            null,
            "config/demo/assignments",
            new ConfigChanged("demo", "assignments", "user:admin", "v1", version));
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            kafka.client(Principals.IDENTITY_BROKER),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer.send(KafkaEvents.toRecord(event, PolicyWatch.CHANGES, null)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
