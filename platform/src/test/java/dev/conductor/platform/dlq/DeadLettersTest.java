package dev.conductor.platform.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private final DeadLetters deadLetters =
      new DeadLetters(null, "conductor.dlq.test", List.of("Authorization", "cookie", "x-api-key"));

  @Test
  void credentialsNeverReachTheDlq() {
    assertThat(deadLetters.isSecret("authorization")).isTrue();
    assertThat(deadLetters.isSecret("AUTHORIZATION")).isTrue();
    assertThat(deadLetters.isSecret("Cookie")).isTrue();
    assertThat(deadLetters.isSecret("x-refresh-token")).isTrue();
    assertThat(deadLetters.isSecret("client-secret")).isTrue();
  }

  @Test
  void everythingElseIsKeptForRedrive() {
    for (String header : List.of("ce_id", "ce_type", "content-type", "traceparent", "ce_source")) {
      assertThat(deadLetters.isSecret(header)).as(header).isFalse();
    }
  }
}
