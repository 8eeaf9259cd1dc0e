package dev.conductor.broker.issuer;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.conductor.broker.config.BrokerConfig;
import dev.conductor.platform.timer.Periodic;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The issuer's ES256 signing keys, kept in {@code signing_keys} so every instance and every restart
 * signs with the same key. The newest unretired key signs; a key older than the rotation period is
 * retired and replaced (under an advisory lock, so instances rotate once), and retired keys stay in
 * the JWKS for the retention period so tokens they signed keep verifying.
 */
@ApplicationScoped
public class SigningKeys {
  private static final Logger LOG = Logger.getLogger(SigningKeys.class);

  private final DataSource dataSource;
  private final Pool pool;
  private final BrokerConfig config;
  private final Clock clock;
  private final SecretKeySpec encryptionKey;
  private volatile ECKey current;
  private final Periodic refresher;

  public SigningKeys(
      DataSource dataSource, Pool pool, BrokerConfig config, Clock clock, Vertx vertx) {
    this.dataSource = dataSource;
    this.pool = pool;
    this.config = config;
    this.clock = clock;
    this.encryptionKey =
        config
            .keys()
            .encryptionKey()
            .map(k -> new SecretKeySpec(Base64.getDecoder().decode(k.trim()), "AES"))
            .orElse(null);
    // The refresh is blocking (JDBC): each pass runs on a worker thread, off the event loop.
    this.refresher =
        new Periodic(
            vertx,
            () ->
                Uni.createFrom()
                    .item(this::refresh)
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .replaceWithVoid(),
            "signing key refresh failed (keeping the current key)",
            LOG);
  }

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
    refresh();
    Duration every = config.keys().refresh();
    refresher.start(every.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : every);
  }

  void onStop(@Observes ShutdownEvent event) {
    refresher.stop();
  }

  /** The key that signs now (private part included). */
  public ECKey current() {
    ECKey key = current;
    if (key == null) {
      throw new IllegalStateException("no signing key loaded yet");
    }
    return key;
  }

  /** Rotates now if the current key is due, then reloads the current key. Blocking (JDBC). */
  public synchronized ECKey refresh() {
    current = inLock(false);
    return current;
  }

  /** Retires the current key and makes a new one regardless of its age. Blocking (JDBC). */
  public synchronized ECKey rotate() {
    current = inLock(true);
    return current;
  }

  /** The public keys to publish: the current ones and those retired within the retention. */
  public Uni<JWKSet> published() {
    Instant since = clock.instant().minus(config.keys().retention());
    return pool.preparedQuery(
            """
            SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL OR retired_at > $1
            ORDER BY created_at DESC
            """)
        .execute(Tuple.of(since.atOffset(ZoneOffset.UTC)))
        .map(
            rows -> {
              List<JWK> keys = new ArrayList<>();
              for (Row row : rows) {
                try {
                  keys.add(JWK.parse(row.getString(0)));
                } catch (ParseException e) {
                  LOG.warnf("unreadable public key in signing_keys: %s", e.getMessage());
                }
              }
              return new JWKSet(keys);
            });
  }

  private ECKey inLock(boolean force) {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement lock =
            c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('broker.signing_keys'))")) {
          lock.execute();
        }
        ECKey newest = null;
        Instant createdAt = null;
        try (PreparedStatement q =
                c.prepareStatement(
                    """
                    SELECT private_jwk, created_at FROM signing_keys WHERE retired_at IS NULL
                    ORDER BY created_at DESC LIMIT 1
                    """);
            ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            newest = decode(rs.getString(1));
            createdAt = rs.getTimestamp(2).toInstant();
          }
        }
        boolean due =
            newest == null || force || createdAt.plus(config.keys().rotation()).isBefore(now);
        if (due) {
          ECKey fresh = generate();
          try (PreparedStatement retire =
              c.prepareStatement(
                  "UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL")) {
            retire.setTimestamp(1, Timestamp.from(now));
            retire.executeUpdate();
          }
          try (PreparedStatement insert =
              c.prepareStatement(
                  """
                  INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at)
                  VALUES (?, ?, ?, ?)
                  """)) {
            insert.setString(1, fresh.getKeyID());
            insert.setString(2, encode(fresh));
            insert.setString(3, fresh.toPublicJWK().toJSONString());
            insert.setTimestamp(4, Timestamp.from(now));
            insert.executeUpdate();
          }
          LOG.infof(
              "signing key %s created%s",
              fresh.getKeyID(), newest == null ? "" : ", " + newest.getKeyID() + " retired");
          newest = fresh;
        }
        c.commit();
        return newest;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the signing keys: " + e.getMessage(), e);
    }
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyID(UUID.randomUUID().toString())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a P-256 key", e);
    }
  }

  /** The private JWK as stored: plain JSON, or a JWE (dir, A256GCM) when a key is configured. */
  private String encode(ECKey key) {
    if (encryptionKey == null) {
      return key.toJSONString();
    }
    try {
      JWEObject jwe =
          new JWEObject(
              new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM),
              new Payload(key.toJSONString()));
      jwe.encrypt(new DirectEncrypter(encryptionKey));
      return jwe.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot encrypt the signing key", e);
    }
  }

  private ECKey decode(String stored) {
    try {
      if (stored.startsWith("{")) {
        return ECKey.parse(stored);
      }
      if (encryptionKey == null) {
        throw new IllegalStateException(
            "signing keys are stored encrypted but conductor.broker.keys.encryption-key is not set");
      }
      JWEObject jwe = JWEObject.parse(stored);
      jwe.decrypt(new DirectDecrypter(encryptionKey));
      return ECKey.parse(jwe.getPayload().toString());
    } catch (ParseException | JOSEException e) {
      throw new IllegalStateException("cannot read a stored signing key", e);
    }
  }
}
