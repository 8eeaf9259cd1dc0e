package dev.conductor.broker.issuer;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Client secrets at rest: PBKDF2-HMAC-SHA256 with a random salt, stored as {@code
 * pbkdf2-sha256$<iterations>$<salt>$<hash>} so the cost can be raised without breaking old rows.
 * Hashing is deliberately slow: call it off the event loop.
 */
public final class ClientSecrets {
  public static final int ITERATIONS = 60_000;
  private static final String SCHEME = "pbkdf2-sha256";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  // Compared against when the client is unknown, so a miss costs as much as a wrong secret.
  private static final String DUMMY = hash("not-a-client-secret");

  private ClientSecrets() {}

  public static String hash(String secret) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return SCHEME
        + "$"
        + ITERATIONS
        + "$"
        + B64.encodeToString(salt)
        + "$"
        + B64.encodeToString(derive(secret, salt, ITERATIONS));
  }

  /** True when {@code secret} matches {@code stored}; a null stored hash never matches. */
  public static boolean verify(String secret, String stored) {
    String[] parts = (stored == null ? DUMMY : stored).split("\\$");
    if (secret == null || parts.length != 4 || !SCHEME.equals(parts[0])) {
      return false;
    }
    byte[] expected = B64D.decode(parts[3]);
    byte[] actual = derive(secret, B64D.decode(parts[2]), Integer.parseInt(parts[1]));
    return MessageDigest.isEqual(expected, actual) && stored != null;
  }

  private static byte[] derive(String secret, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, 256);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2 is not available", e);
    }
  }
}
