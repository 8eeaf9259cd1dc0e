package dev.conductor.broker.credential;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.conductor.broker.config.BrokerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pools' public encryption keys, from configuration only ({@code
 * conductor.broker.pool-keys.<pool>=<public JWK file>}), never from self-registration. A file is
 * re-read when it changes, so a pool key is rotated by replacing the file.
 */
@ApplicationScoped
public class PoolKeyring {
  private final Map<String, String> files;
  private final Map<String, Loaded> cache = new ConcurrentHashMap<>();

  private record Loaded(FileTime modified, ECKey key) {}

  public PoolKeyring(BrokerConfig config) {
    this.files = Map.copyOf(config.poolKeys());
  }

  /**
   * The public key of {@code pool}.
   *
   * @throws CredentialFailure when the pool has no key configured or its file is unusable
   */
  public ECKey publicKey(String pool) throws CredentialFailure {
    String file = files.get(pool);
    if (file == null) {
      throw new CredentialFailure("pool " + pool + " has no encryption key configured");
    }
    Path path = Path.of(file);
    try {
      FileTime modified = Files.getLastModifiedTime(path);
      Loaded hit = cache.get(pool);
      if (hit != null && hit.modified().equals(modified)) {
        return hit.key();
      }
      ECKey key = ECKey.parse(Files.readString(path));
      if (!Curve.P_256.equals(key.getCurve())) {
        throw new CredentialFailure("the key of pool " + pool + " is not on P-256");
      }
      // Only the public half is ever needed here, even if someone configured a private file.
      ECKey publicKey = key.toPublicJWK();
      cache.put(pool, new Loaded(modified, publicKey));
      return publicKey;
    } catch (IOException | ParseException e) {
      throw new CredentialFailure("the key of pool " + pool + " cannot be read");
    }
  }
}
