package dev.conductor.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolKeysTest {
  @TempDir Path dir;

  @Test
  void writesOneKeyPairPerPool() {
    Map<String, Path> privateFiles = PoolKeys.generate(dir, List.of("dev", "prod"));

    assertThat(privateFiles).containsOnlyKeys("dev", "prod");
    assertThat(privateFiles.get("dev")).isEqualTo(dir.resolve("dev.private.jwk.json"));
    assertThat(dir.resolve("prod.public.jwk.json")).exists();

    ECKey privateKey = PoolKeys.readKey(privateFiles.get("dev"));
    ECKey publicKey = PoolKeys.readKey(PoolKeys.publicFile(dir, "dev"));
    assertThat(privateKey.isPrivate()).isTrue();
    assertThat(publicKey.isPrivate()).isFalse();
    assertThat(privateKey.getKeyID()).startsWith("dev-").isEqualTo(publicKey.getKeyID());
    assertThat(privateKey.getKeyUse()).isEqualTo(KeyUse.ENCRYPTION);
    assertThat(privateKey.getAlgorithm()).isEqualTo(JWEAlgorithm.ECDH_ES_A256KW);
    assertThat(PoolKeys.readKey(privateFiles.get("prod")).getKeyID()).startsWith("prod-");
  }

  @Test
  void publicKeyEncryptsWhatOnlyThePrivateKeyDecrypts() throws Exception {
    PoolKeys.generate(dir, List.of("dev"));
    ECKey publicKey = PoolKeys.readKey(PoolKeys.publicFile(dir, "dev"));
    JWEObject jwe =
        new JWEObject(
            new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM)
                .keyID(publicKey.getKeyID())
                .build(),
            new Payload("secret"));
    jwe.encrypt(new ECDHEncrypter(publicKey));

    JWEObject received = JWEObject.parse(jwe.serialize());
    received.decrypt(new ECDHDecrypter(PoolKeys.readKey(PoolKeys.privateFile(dir, "dev"))));
    assertThat(received.getPayload().toString()).isEqualTo("secret");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(PoolKeys.privateFile(dir, "dev"))))
        .isEqualTo("rw-------");
  }
}
