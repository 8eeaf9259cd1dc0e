package dev.conductor.audit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ChainHashTest {
  @Test
  void theChainOfAKnownKeyFollowsKafkasDefaultPartitioner() {
    // murmur2("run-1") = 637533037 (Kafka's Utils.murmur2), 637533037 % 4 = 1
    assertThat(ChainHash.chainOf("run-1", 4)).isEqualTo(1);
    assertThat(ChainHash.chainOf("3f0c5a0e-0000-4000-8000-000000000001", 4)).isZero();
  }

  @Test
  void theHashIsSha256OfTheCanonicalRecord() throws Exception {
    String event = "{ \"b\": 1.50, \"a\": \"é\", \"data\": {\"n\": 1e3} }";
    String expectedInput =
        "{\"chain\":2,\"event\":{\"a\":\"é\",\"b\":1.5,\"data\":{\"n\":1000}},"
            + "\"prevHash\":\""
            + ChainHash.GENESIS
            + "\",\"seq\":1}";
    String expected =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(expectedInput.getBytes(StandardCharsets.UTF_8)));
    assertThat(ChainHash.hash(2, 1, ChainHash.GENESIS, event)).isEqualTo(expected);
    // Canonical or not, the same event hashes the same.
    assertThat(ChainHash.hash(2, 1, ChainHash.GENESIS, ChainHash.canonical(event)))
        .isEqualTo(expected);
    assertThat(ChainHash.hash(2, 2, ChainHash.GENESIS, event)).isNotEqualTo(expected);
  }

  @Test
  void aCanonicalEventHashesTheSameWithoutBeingCanonicalizedAgain() {
    String event = "{ \"b\": 1.50, \"a\": \"é\", \"data\": {\"n\": 1e3} }";
    String prev = "ab".repeat(32);
    assertThat(ChainHash.hashOfCanonical(3, 123456789012L, prev, ChainHash.canonical(event)))
        .isEqualTo(ChainHash.hash(3, 123456789012L, prev, event));
    assertThat(ChainHash.hashOfCanonical(3, 7, ChainHash.GENESIS, ChainHash.canonical(event)))
        .isNotEqualTo(ChainHash.hash(3, 8, ChainHash.GENESIS, event));
  }
}
