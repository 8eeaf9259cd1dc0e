package dev.conductor.executor.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import dev.conductor.embedded.PoolKeys;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptFailed;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.executor.ExecutorTestProfile;
import dev.conductor.executor.TestJobs;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaProbe.Seen;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(ExecutorTestProfile.class)
class CredentialsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SECRET = "s3cr3t-password";

  @ConfigProperty(name = "conductor.executor.private-key-file")
  Path privateKeyFile;

  private final KafkaProbe kafka = KafkaProbe.shared();

  @Test
  void bundleEncryptedToThePoolKeyReachesTheJob() throws Exception {
    ECKey poolKey = PoolKeys.readKey(privateKeyFile).toPublicJWK();
    String runId = TestJobs.runId();
    TestJobs.publish(
        TestJobs.authorized(
            runId,
            "sleep",
            Map.of("millis", 200),
            Instant.now().plusSeconds(300),
            encrypt(poolKey, bundle())));

    Seen succeeded = awaitOne(runId, EventType.ATTEMPT_SUCCEEDED);
    String output = succeeded.data(AttemptSucceeded.class).output();
    assertThat(output).isEqualTo("slept 200 ms; credentials for warehouse");
    assertThat(kafka.events(Topics.attempts("dev"), runId).toString()).doesNotContain(SECRET);
  }

  @Test
  void bundleForAnotherKeyFailsTheAttempt() throws Exception {
    ECKey poolKey = PoolKeys.readKey(privateKeyFile);
    // Same kid as the pool's key, so the executor really tries (and fails) to decrypt it.
    ECKey other =
        new ECKey.Builder(PoolKeys.generateKey("dev").toPublicJWK())
            .keyID(poolKey.getKeyID())
            .build();
    String runId = TestJobs.runId();
    TestJobs.publish(
        TestJobs.authorized(
            runId, "noop", Map.of(), Instant.now().plusSeconds(300), encrypt(other, bundle())));

    Seen failed = awaitOne(runId, EventType.ATTEMPT_FAILED);
    assertThat(failed.data(AttemptFailed.class).error()).isEqualTo("credentials unreadable");
    assertThat(kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_STARTED)).hasSize(1);
  }

  private static String bundle() {
    // The broker's shape: one JWT per declared resource.
    return "{\"tokens\":[{\"resource\":\"warehouse\",\"token\":\""
        + SECRET
        + "\",\"expiresAt\":\""
        + Instant.now().plusSeconds(600)
        + "\"}]}";
  }

  private static String encrypt(ECKey publicKey, String plaintext) throws Exception {
    JWEObject jwe =
        new JWEObject(
            new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM)
                .keyID(publicKey.getKeyID())
                .build(),
            new Payload(plaintext));
    jwe.encrypt(new ECDHEncrypter(publicKey));
    return jwe.serialize();
  }

  private Seen awaitOne(String runId, EventType type) {
    await().atMost(WAIT).until(() -> !kafka.events(Topics.attempts("dev"), runId, type).isEmpty());
    List<Seen> events = kafka.events(Topics.attempts("dev"), runId, type);
    assertThat(events).hasSize(1);
    return events.get(0);
  }
}
