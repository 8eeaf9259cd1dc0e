package dev.conductor.audit.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.kafka.common.utils.Utils;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * The hash recipe of the ledger, in one place because analysts re-verify it from the topic alone
 * (README "Hash recipe"): hash = lowercase hex SHA-256 of the UTF-8 bytes of the RFC 8785 canonical
 * JSON of {@code {"chain":c,"seq":s,"prevHash":p,"event":E}}.
 */
public final class ChainHash {
  /** The prevHash of seq 1 on every chain. */
  public static final String GENESIS = "0".repeat(64);

  private ChainHash() {}

  /** The RFC 8785 canonical text of a JSON tree. */
  public static String canonical(JsonNode json) {
    try {
      return canonical(EventCodec.JSON.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise JSON", e);
    }
  }

  /** The RFC 8785 canonical text of a JSON document; idempotent on canonical text. */
  public static String canonical(String json) {
    try {
      return new JsonCanonicalizer(json).getEncodedString();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not canonicalisable JSON: " + e.getMessage(), e);
    }
  }

  /** The hash of one record; {@code event} is its JSON text (canonical or not, same result). */
  public static String hash(int chain, long seq, String prevHash, String event) {
    return hashOfCanonical(chain, seq, prevHash, canonical(event));
  }

  /**
   * As {@link #hash} for an event already in canonical form (the ledger stores it so): the record
   * around it is written canonical at once (members in RFC 8785 order, integers as digits), which
   * spares parsing the event a second time on every append.
   */
  public static String hashOfCanonical(int chain, long seq, String prevHash, String event) {
    if (!prevHash.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("prevHash is not 64 lowercase hex digits");
    }
    return sha256(
        "{\"chain\":"
            + chain
            + ",\"event\":"
            + event
            + ",\"prevHash\":\""
            + prevHash
            + "\",\"seq\":"
            + seq
            + "}");
  }

  /**
   * The chain of a Kafka key: Kafka's default partitioner ({@code toPositive(murmur2(key)) %
   * chains}), so while {@code conductor.audit} keeps its partition count a chain is a partition.
   */
  public static int chainOf(String key, int chains) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % chains;
  }

  static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
