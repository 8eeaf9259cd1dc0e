package dev.conductor.broker.decision;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.conductor.broker.credential.CredentialMinter;
import dev.conductor.broker.issuer.TokenResource;
import dev.conductor.broker.support.BrokerOutputs;
import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.broker.support.Jobs;
import dev.conductor.broker.support.Tokens;
import dev.conductor.embedded.PoolKeys;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventCodec;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Principals;
import dev.conductor.events.Schemas;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptFenced;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.events.data.CredentialIssued;
import dev.conductor.events.data.CredentialRevoked;
import dev.conductor.events.data.DataAccess;
import dev.conductor.events.data.DecisionRecorded;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.events.data.JobCredentialFailed;
import dev.conductor.events.data.JobDenied;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.platform.auth.TokenVerifier;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaProbe.Seen;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class JobDecisionsTest {
  private static final Clock CLOCK = Clock.systemUTC();
  private static final String SCHEDULER = Envelope.sourceOf("scheduler-service");
  private static KafkaProbe probe;

  @ConfigProperty(name = "conductor.broker.issuer")
  String issuer;

  @BeforeAll
  static void startProbe() {
    probe = BrokerOutputs.probe();
  }

  @AfterAll
  static void stopProbe() {
    probe.close();
  }

  private static Envelope<JobScheduled> schedule(JobScheduled job, String traceparent) {
    Envelope<JobScheduled> event =
        Envelope.of(EventType.JOB_SCHEDULED, SCHEDULER, job.runId(), job, CLOCK);
    probe.publish(event, Topics.RUNS, traceparent);
    return event;
  }

  private static List<Seen> awaitEvents(String runId, Predicate<List<Seen>> done) {
    List<List<Seen>> last = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              List<Seen> seen = probe.events(runId);
              last.add(0, seen);
              return done.test(seen);
            });
    return last.get(0);
  }

  private static Predicate<List<Seen>> has(EventType type, String attemptId) {
    return seen -> !of(seen, type, attemptId).isEmpty();
  }

  private static List<Seen> of(List<Seen> seen, EventType type, String attemptId) {
    return seen.stream()
        .filter(s -> s.event().type() == type)
        .filter(s -> attemptId == null || attemptOf(s.event()).equals(attemptId))
        .toList();
  }

  private static String attemptOf(Envelope<?> e) {
    return EventCodec.toTree(e.data()).path("attemptId").asText();
  }

  @Test
  void aliceIsAuthorizedWithCredentialsOnlyInsideTheJwe() throws Exception {
    String runId = UUID.randomUUID().toString();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    JobScheduled job =
        Jobs.scheduled(
            runId, "alice", List.of(), "etl-bot", "dev", Jobs.warehouseAccess(), deadline);
    String trace = TraceContext.newTrace();
    Envelope<JobScheduled> cause = schedule(job, trace);

    List<Seen> seen = awaitEvents(runId, has(EventType.JOB_AUTHORIZED, job.attemptId()));
    seen = awaitEvents(runId, s -> of(s, EventType.CREDENTIAL_ISSUED, job.attemptId()).size() == 2);

    // Every effect continues the trace and names the job.scheduled as its cause.
    for (Seen s : seen) {
      assertThat(s.event().causationId()).isEqualTo(cause.id());
      assertThat(s.event().source()).isEqualTo("/conductor/identity-broker");
      assertThat(TraceContext.traceId(s.header(KafkaEvents.TRACEPARENT)))
          .isEqualTo(TraceContext.traceId(trace));
      assertThat(Schemas.violations(s.event())).isEmpty();
    }

    DecisionRecorded decision =
        (DecisionRecorded)
            of(seen, EventType.DECISION_RECORDED, job.attemptId()).get(0).event().data();
    assertThat(decision.effect()).isEqualTo("allow");
    assertThat(decision.principal()).isEqualTo("alice");
    assertThat(decision.runAs()).isEqualTo("etl-bot");
    // Config section tests may have moved the policy on: "seed-1" or "seed-1+r<n>".
    assertThat(decision.policyVersion()).startsWith("seed-1");
    assertThat(decision.matchedAssignments()).hasSize(2);

    List<CredentialIssued> issued =
        of(seen, EventType.CREDENTIAL_ISSUED, job.attemptId()).stream()
            .map(s -> (CredentialIssued) s.event().data())
            .toList();
    assertThat(issued).allSatisfy(c -> assertThat(c.kind()).isEqualTo("jwt"));
    assertThat(issued).allSatisfy(c -> assertThat(c.expiresAt()).isBeforeOrEqualTo(deadline));

    Seen authorizedSeen = of(seen, EventType.JOB_AUTHORIZED, job.attemptId()).get(0);
    assertThat(authorizedSeen.record().topic()).isEqualTo("conductor.jobs.dev");
    JobAuthorized authorized = (JobAuthorized) authorizedSeen.event().data();
    assertThat(authorized.decisionId()).isEqualTo(decision.decisionId());
    assertThat(authorized.jobType()).isEqualTo("sql");
    assertThat(authorized.parameters()).containsEntry("date", "2026-11-26");

    // The bundle decrypts only with the dev pool's private key.
    ECKey poolKey = PoolKeys.readKey(PoolKeys.privateFile(BrokerTestResource.keysDir(), "dev"));
    JWEObject jwe = JWEObject.parse(authorized.credentials());
    assertThat(jwe.getHeader().getAlgorithm().getName()).isEqualTo("ECDH-ES+A256KW");
    assertThat(jwe.getHeader().getEncryptionMethod().getName()).isEqualTo("A256GCM");
    assertThat(jwe.getHeader().getKeyID()).isEqualTo(poolKey.getKeyID());
    jwe.decrypt(new ECDHDecrypter(poolKey));
    JsonNode bundle = EventCodec.JSON.readTree(jwe.getPayload().toString());
    assertThat(bundle.path("tokens")).hasSize(2);

    JWKSet brokerKeys = JWKSet.load(new URL(issuer + "/oauth2/jwks"));
    List<String> tokens = new ArrayList<>();
    for (JsonNode item : bundle.path("tokens")) {
      String token = item.path("token").asText();
      tokens.add(token);
      SignedJWT jwt = SignedJWT.parse(token);
      // Typed as a job's credential: Conductor's own API refuses it (TokenVerifier).
      assertThat(jwt.getHeader().getType()).isEqualTo(TokenVerifier.JOB_TOKEN);
      ECKey signer = (ECKey) brokerKeys.getKeyByKeyId(jwt.getHeader().getKeyID());
      assertThat(jwt.verify(new ECDSAVerifier(signer))).isTrue();
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      assertThat(claims.getAudience()).containsExactly(item.path("resource").asText());
      assertThat(claims.getIssuer()).isEqualTo(issuer);
      assertThat(claims.getSubject()).isEqualTo("etl-bot");
      assertThat(claims.getStringClaim("run_id")).isEqualTo(runId);
      assertThat(claims.getStringClaim("attempt_id")).isEqualTo(job.attemptId());
      assertThat(claims.getExpirationTime().toInstant()).isBeforeOrEqualTo(deadline);
      CredentialIssued lease =
          issued.stream()
              .filter(c -> c.leaseId().equals(claims.getJWTID()))
              .findFirst()
              .orElseThrow();
      assertThat(lease.fingerprint()).isEqualTo(CredentialMinter.fingerprint(token));
    }
    assertThat(bundle.path("tokens").get(0).path("resource").asText()).isEqualTo("warehouse.sales");
    assertThat(SignedJWT.parse(tokens.get(0)).getJWTClaimsSet().getStringClaim("scope"))
        .isEqualTo("read write");

    // Nothing secret anywhere on Kafka: not the tokens, nor their signatures.
    for (ConsumerRecord<String, byte[]> record :
        probe.seen().stream().map(KafkaProbe.Seen::record).toList()) {
      String value =
          record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
      StringBuilder headers = new StringBuilder();
      for (Header h : record.headers()) {
        headers.append(h.key()).append('=').append(new String(h.value(), StandardCharsets.UTF_8));
      }
      for (String token : tokens) {
        String signature = token.substring(token.lastIndexOf('.') + 1);
        assertThat(value).doesNotContain(token).doesNotContain(signature);
        assertThat(headers.toString()).doesNotContain(token).doesNotContain(signature);
      }
    }

    // The decision is stored and readable by an auditor.
    given()
        .auth()
        .oauth2(Tokens.of("auditor"))
        .get("/api/v1/decisions/" + decision.decisionId())
        .then()
        .statusCode(200)
        .body("kind", equalTo("job"))
        .body("effect", equalTo("allow"))
        .body("runId", equalTo(runId))
        .body("attemptId", equalTo(job.attemptId()))
        .body("resources", hasItem("warehouse.sales"));

    // The attempt ends: every lease is revoked, once.
    Envelope<AttemptSucceeded> ended =
        Envelope.of(
            EventType.ATTEMPT_SUCCEEDED,
            Envelope.sourceOf("executor-service"),
            runId,
            new AttemptSucceeded(runId, job.step(), job.attemptId(), "exec-1", "ok", Instant.now()),
            CLOCK);
    probe.publish(ended, Topics.attempts("dev"), trace);
    probe.publish(ended, Topics.attempts("dev"), trace);
    List<Seen> after =
        awaitEvents(runId, s -> of(s, EventType.CREDENTIAL_REVOKED, job.attemptId()).size() >= 2);
    List<Seen> revoked = of(after, EventType.CREDENTIAL_REVOKED, job.attemptId());
    assertThat(revoked)
        .extracting(s -> ((CredentialRevoked) s.event().data()).leaseId())
        .containsExactlyInAnyOrderElementsOf(
            issued.stream().map(CredentialIssued::leaseId).toList());
    assertThat(revoked).allSatisfy(s -> assertThat(s.event().causationId()).isEqualTo(ended.id()));
    assertThat(revoked)
        .allSatisfy(
            s ->
                assertThat(((CredentialRevoked) s.event().data()).reason())
                    .isEqualTo("attempt.succeeded"));
  }

  @Test
  void loadingTheSeedEmitsConfigChanged() {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                probe.byKey("policy").stream()
                    .filter(s -> s.topic().equals(Topics.changes(Principals.IDENTITY_BROKER)))
                    .map(KafkaProbe.Seen::event)
                    .anyMatch(
                        e ->
                            e.data() instanceof ConfigChanged c
                                && "policy".equals(c.section())
                                && "seed-1".equals(c.newVersion())));
  }

  @Test
  void bobIsDeniedAndGetsNoCredential() {
    String runId = UUID.randomUUID().toString();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    JobScheduled bobs =
        Jobs.scheduled(runId, "bob", List.of(), "etl-bot", "dev", Jobs.warehouseAccess(), deadline);
    schedule(bobs, TraceContext.newTrace());
    // A later attempt of the same run (same partition) marks that bob's has been fully handled.
    JobScheduled marker =
        Jobs.scheduled(runId, "alice", List.of(), "etl-bot", "dev", null, deadline);
    schedule(marker, TraceContext.newTrace());

    List<Seen> seen = awaitEvents(runId, has(EventType.JOB_DENIED, bobs.attemptId()));
    seen = awaitEvents(runId, has(EventType.JOB_AUTHORIZED, marker.attemptId()));

    DecisionRecorded decision =
        (DecisionRecorded)
            of(seen, EventType.DECISION_RECORDED, bobs.attemptId()).get(0).event().data();
    assertThat(decision.effect()).isEqualTo("deny");
    assertThat(decision.principal()).isEqualTo("bob");
    JobDenied denied =
        (JobDenied) of(seen, EventType.JOB_DENIED, bobs.attemptId()).get(0).event().data();
    assertThat(denied.decisionId()).isEqualTo(decision.decisionId());
    assertThat(denied.reason()).contains("identity.use");
    assertThat(of(seen, EventType.CREDENTIAL_ISSUED, bobs.attemptId())).isEmpty();
    assertThat(of(seen, EventType.JOB_AUTHORIZED, bobs.attemptId())).isEmpty();
  }

  @Test
  void aDuplicateJobScheduledMakesOneDecision() {
    String runId = UUID.randomUUID().toString();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    JobScheduled job = Jobs.scheduled(runId, "alice", List.of(), "etl-bot", "dev", null, deadline);
    Envelope<JobScheduled> first = schedule(job, TraceContext.newTrace());
    probe.publish(first, Topics.RUNS, TraceContext.newTrace()); // same event again
    schedule(job, TraceContext.newTrace()); // a new event for the same attempt
    JobScheduled marker =
        Jobs.scheduled(runId, "alice", List.of(), "etl-bot", "dev", null, deadline);
    schedule(marker, TraceContext.newTrace());

    List<Seen> seen = awaitEvents(runId, has(EventType.JOB_AUTHORIZED, marker.attemptId()));
    assertThat(of(seen, EventType.DECISION_RECORDED, job.attemptId())).hasSize(1);
    List<Seen> authorized = of(seen, EventType.JOB_AUTHORIZED, job.attemptId());
    assertThat(authorized).hasSize(1);
    // No data access: no credentials at all.
    assertThat(((JobAuthorized) authorized.get(0).event().data()).credentials()).isNull();
    assertThat(of(seen, EventType.CREDENTIAL_ISSUED, job.attemptId())).isEmpty();
  }

  @Test
  void aSecondDispatchIsDecidedAnewAndRevokesWhatTheFirstWasIssued() {
    String runId = UUID.randomUUID().toString();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    JobScheduled first =
        Jobs.scheduled(
            runId, "alice", List.of(), "etl-bot", "dev", Jobs.warehouseAccess(), deadline);
    schedule(first, TraceContext.newTrace());
    List<Seen> seen = awaitEvents(runId, has(EventType.JOB_AUTHORIZED, first.attemptId()));
    List<String> firstLeases =
        of(seen, EventType.CREDENTIAL_ISSUED, first.attemptId()).stream()
            .map(s -> ((CredentialIssued) s.event().data()).leaseId())
            .toList();
    assertThat(firstLeases).isNotEmpty();

    // The claim found no free slot: the scheduler dispatches the same attempt again.
    JobScheduled second = Jobs.dispatchedAgain(first, 2);
    Envelope<JobScheduled> again = schedule(second, TraceContext.newTrace());
    List<Seen> after =
        awaitEvents(runId, s -> of(s, EventType.JOB_AUTHORIZED, first.attemptId()).size() >= 2);
    assertThat(of(after, EventType.DECISION_RECORDED, first.attemptId())).hasSize(2);
    List<JobAuthorized> authorized =
        of(after, EventType.JOB_AUTHORIZED, first.attemptId()).stream()
            .map(s -> (JobAuthorized) s.event().data())
            .toList();
    assertThat(authorized).extracting(JobAuthorized::dispatch).containsExactly(1, 2);
    assertThat(authorized.get(1).credentials())
        .isNotNull()
        .isNotEqualTo(authorized.get(0).credentials());
    List<Seen> revoked = of(after, EventType.CREDENTIAL_REVOKED, first.attemptId());
    assertThat(revoked)
        .extracting(s -> ((CredentialRevoked) s.event().data()).leaseId())
        .containsExactlyInAnyOrderElementsOf(firstLeases);
    assertThat(revoked)
        .allSatisfy(
            s -> {
              assertThat(((CredentialRevoked) s.event().data()).reason()).isEqualTo("redispatched");
              assertThat(s.event().causationId()).isEqualTo(again.id());
            });
  }

  @Test
  void aFencedAttemptsCredentialsAreRevoked() {
    String runId = UUID.randomUUID().toString();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    JobScheduled job =
        Jobs.scheduled(
            runId, "alice", List.of(), "etl-bot", "dev", Jobs.warehouseAccess(), deadline);
    schedule(job, TraceContext.newTrace());
    List<Seen> seen = awaitEvents(runId, has(EventType.JOB_AUTHORIZED, job.attemptId()));
    List<String> leases =
        of(seen, EventType.CREDENTIAL_ISSUED, job.attemptId()).stream()
            .map(s -> ((CredentialIssued) s.event().data()).leaseId())
            .toList();
    assertThat(leases).isNotEmpty();

    // The scheduler gave up on the attempt; its executor may still be running it.
    Envelope<AttemptFenced> fenced =
        Envelope.of(
            EventType.ATTEMPT_FENCED,
            Envelope.sourceOf("scheduler-service"),
            runId,
            new AttemptFenced(
                runId, job.step(), job.attemptId(), 1, "exec-1", "lease expired", Instant.now()),
            CLOCK);
    probe.publish(fenced, Topics.RUNS, TraceContext.newTrace());
    List<Seen> after =
        awaitEvents(
            runId,
            s -> of(s, EventType.CREDENTIAL_REVOKED, job.attemptId()).size() >= leases.size());
    assertThat(of(after, EventType.CREDENTIAL_REVOKED, job.attemptId()))
        .allSatisfy(
            s -> {
              assertThat(((CredentialRevoked) s.event().data()).reason())
                  .isEqualTo("attempt.fenced");
              assertThat(s.event().causationId()).isEqualTo(fenced.id());
            })
        .extracting(s -> ((CredentialRevoked) s.event().data()).leaseId())
        .containsExactlyInAnyOrderElementsOf(leases);
  }

  @Test
  void aPoolWithoutKeyOrAPassedDeadlineFailsTheCredentials() {
    String runId = UUID.randomUUID().toString();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    JobScheduled prod =
        Jobs.scheduled(
            runId, "alice", List.of(), "etl-bot", "prod", Jobs.warehouseAccess(), deadline);
    JobScheduled late =
        Jobs.scheduled(
            runId,
            "alice",
            List.of(),
            "etl-bot",
            "dev",
            Jobs.warehouseAccess(),
            Instant.now().minusSeconds(5));
    JobScheduled prodWithoutData =
        Jobs.scheduled(runId, "alice", List.of(), "etl-bot", "prod", null, deadline);
    schedule(prod, TraceContext.newTrace());
    schedule(late, TraceContext.newTrace());
    schedule(prodWithoutData, TraceContext.newTrace());

    List<Seen> seen =
        awaitEvents(runId, has(EventType.JOB_AUTHORIZED, prodWithoutData.attemptId()));
    seen = awaitEvents(runId, has(EventType.JOB_CREDENTIAL_FAILED, late.attemptId()));
    seen = awaitEvents(runId, has(EventType.JOB_CREDENTIAL_FAILED, prod.attemptId()));

    JobCredentialFailed noKey =
        (JobCredentialFailed)
            of(seen, EventType.JOB_CREDENTIAL_FAILED, prod.attemptId()).get(0).event().data();
    assertThat(noKey.reason()).contains("pool prod has no encryption key");
    DecisionRecorded decision =
        (DecisionRecorded)
            of(seen, EventType.DECISION_RECORDED, prod.attemptId()).get(0).event().data();
    assertThat(decision.effect()).isEqualTo("allow");
    assertThat(noKey.decisionId()).isEqualTo(decision.decisionId());
    assertThat(
            ((JobCredentialFailed)
                    of(seen, EventType.JOB_CREDENTIAL_FAILED, late.attemptId())
                        .get(0)
                        .event()
                        .data())
                .reason())
        .contains("deadline");
    assertThat(of(seen, EventType.CREDENTIAL_ISSUED, null)).isEmpty();
    Seen ok = of(seen, EventType.JOB_AUTHORIZED, prodWithoutData.attemptId()).get(0);
    assertThat(ok.record().topic()).isEqualTo("conductor.jobs.prod");
  }

  @Test
  void noJobGetsACredentialForConductorsOwnApi() {
    String runId = UUID.randomUUID().toString();
    JobScheduled job =
        Jobs.scheduled(
            runId,
            "alice",
            List.of(),
            "etl-bot",
            "dev",
            List.of(new DataAccess(TokenResource.AUDIENCE, List.of("pipeline.run"))),
            Instant.now().plus(Duration.ofMinutes(10)));
    schedule(job, TraceContext.newTrace());

    List<Seen> seen = awaitEvents(runId, has(EventType.JOB_CREDENTIAL_FAILED, job.attemptId()));
    assertThat(
            ((JobCredentialFailed)
                    of(seen, EventType.JOB_CREDENTIAL_FAILED, job.attemptId())
                        .get(0)
                        .event()
                        .data())
                .reason())
        .contains("Conductor's own API");
    assertThat(of(seen, EventType.CREDENTIAL_ISSUED, job.attemptId())).isEmpty();
    assertThat(of(seen, EventType.JOB_AUTHORIZED, job.attemptId())).isEmpty();
  }

  private static ConsumerRecord<String, byte[]> dlq(String key) {
    return probe.deadLetters(key).stream().map(KafkaProbe.Seen::record).findFirst().orElse(null);
  }

  @Test
  void malformedMessagesGoToTheDlqAndConsumptionGoesOn() {
    String badKey = "bad-" + UUID.randomUUID();
    probe.send(
        new ProducerRecord<>(
            Topics.RUNS, badKey, "not a cloud event".getBytes(StandardCharsets.UTF_8)));
    String badEnd = "bad-end-" + UUID.randomUUID();
    probe.send(
        new ProducerRecord<>(Topics.attempts("dev"), badEnd, "{".getBytes(StandardCharsets.UTF_8)));
    // Decodes, but lacks what a decision needs.
    String runId = UUID.randomUUID().toString();
    JobScheduled noPool =
        Jobs.scheduled(
            runId, "alice", List.of(), "etl-bot", " ", null, Instant.now().plusSeconds(600));
    schedule(noPool, TraceContext.newTrace());

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> dlq(badKey) != null && dlq(badEnd) != null && dlq(runId) != null);
    assertThat(KafkaEvents.header(dlq(badKey).headers(), "dlq-reason")).isNotBlank();
    assertThat(KafkaEvents.header(dlq(badKey).headers(), "dlq-source-topic"))
        .isEqualTo(Topics.RUNS);
    assertThat(KafkaEvents.header(dlq(badEnd).headers(), "dlq-source-topic"))
        .isEqualTo(Topics.attempts("dev"));
    assertThat(KafkaEvents.header(dlq(runId).headers(), "dlq-reason")).contains("pool");

    // The consumer carries on with the next good message.
    String next = UUID.randomUUID().toString();
    JobScheduled good =
        Jobs.scheduled(
            next, "alice", List.of(), "etl-bot", "dev", null, Instant.now().plusSeconds(600));
    schedule(good, TraceContext.newTrace());
    awaitEvents(next, has(EventType.JOB_AUTHORIZED, good.attemptId()));
  }
}
