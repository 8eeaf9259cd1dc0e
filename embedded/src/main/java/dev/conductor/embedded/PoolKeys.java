package dev.conductor.embedded;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Per-pool encryption key pairs (EC P-256, ECDH-ES+A256KW) as JWK files, the way deployments hand
 * each executor pool its private key and everyone else the public one.
 */
public final class PoolKeys {
  private PoolKeys() {}

  /**
   * Writes {@code <pool>.private.jwk.json} and {@code <pool>.public.jwk.json} for every pool into
   * {@code dir} (created if needed).
   *
   * @return pool to its private key file, in the order given
   */
  public static Map<String, Path> generate(Path dir, List<String> pools) {
    Map<String, Path> privateFiles = new LinkedHashMap<>();
    try {
      Files.createDirectories(dir);
      for (String pool : pools) {
        ECKey key = generateKey(pool);
        Path privateFile = privateFile(dir, pool);
        Files.writeString(privateFile, key.toJSONString());
        restrictToOwner(privateFile);
        Files.writeString(publicFile(dir, pool), key.toPublicJWK().toJSONString());
        privateFiles.put(pool, privateFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write pool keys to " + dir, e);
    }
    return privateFiles;
  }

  /** A fresh key for {@code pool}, kid {@code <pool>-<8 hex>}. */
  public static ECKey generateKey(String pool) {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyID(pool + "-" + UUID.randomUUID().toString().substring(0, 8))
          .keyUse(KeyUse.ENCRYPTION)
          .algorithm(JWEAlgorithm.ECDH_ES_A256KW)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate P-256 key", e);
    }
  }

  public static Path privateFile(Path dir, String pool) {
    return dir.resolve(pool + ".private.jwk.json");
  }

  public static Path publicFile(Path dir, String pool) {
    return dir.resolve(pool + ".public.jwk.json");
  }

  /** Reads a JWK file written by {@link #generate}; private or public. */
  public static ECKey readKey(Path file) {
    try {
      return ECKey.parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (ParseException e) {
      throw new IllegalArgumentException("not an EC JWK: " + file, e);
    }
  }

  private static void restrictToOwner(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // Not a POSIX file system: nothing finer to set.
    }
  }
}
