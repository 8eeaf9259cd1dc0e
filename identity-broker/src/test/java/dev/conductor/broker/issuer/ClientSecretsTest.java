package dev.conductor.broker.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientSecretsTest {
  @Test
  void verifiesOnlyTheRightSecret() {
    String stored = ClientSecrets.hash("alice-secret");
    assertThat(stored).startsWith("pbkdf2-sha256$").doesNotContain("alice-secret");
    assertThat(ClientSecrets.verify("alice-secret", stored)).isTrue();
    assertThat(ClientSecrets.verify("alice-secreT", stored)).isFalse();
    assertThat(ClientSecrets.verify(null, stored)).isFalse();
    assertThat(ClientSecrets.verify("alice-secret", null)).isFalse();
  }

  @Test
  void saltsEveryHash() {
    assertThat(ClientSecrets.hash("same")).isNotEqualTo(ClientSecrets.hash("same"));
  }
}
