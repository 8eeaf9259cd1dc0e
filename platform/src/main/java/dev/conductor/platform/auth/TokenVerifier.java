package dev.conductor.platform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies bearer tokens from any configured OIDC issuer (RFC 8725): ES256 only, the issuer must be
 * configured, the audience must match, exp/iat/sub are required. Keys come from each issuer's JWKS,
 * found through its discovery document and cached by nimbus.
 *
 * <p>A verified token is remembered (by its SHA-256) until it expires: a service calling with the
 * same client-credentials token thousands of times pays for one ECDSA verification, not one per
 * request. What a cached token may do is still decided per request by the access check. A key the
 * issuer withdraws keeps its tokens valid until they expire, as with any verifier caching a JWKS.
 */
@ApplicationScoped
public class TokenVerifier {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /**
   * The {@code typ} of a job's credential (RFC 8725 explicit typing): meant for the resource it
   * names, never accepted by Conductor's own API, whatever its audience.
   */
  public static final JOSEObjectType JOB_TOKEN = new JOSEObjectType("job+jwt");

  private final Set<String> issuers;
  private final Set<String> audiences;
  private static final int MAX_REMEMBERED = 10_000;
  static final long JWKS_REFRESH_MILLIS = 5_000;

  private final Map<String, DefaultJWTProcessor<SecurityContext>> processors =
      new ConcurrentHashMap<>();
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();
  private final Clock clock;

  /** A verified token's caller, valid until the token expires. */
  private record Verified(Caller caller, Instant expires) {}

  @Inject
  public TokenVerifier(AuthSettings settings, Clock clock) {
    this(settings.issuers(), settings.audience(), clock);
  }

  public TokenVerifier(List<String> issuers, String audience, Clock clock) {
    this(issuers, Set.of(audience), clock);
  }

  /** A verifier that accepts a token for any of {@code audiences} (the token names one of them). */
  public TokenVerifier(List<String> issuers, Set<String> audiences, Clock clock) {
    this.issuers = Set.copyOf(issuers.stream().map(TokenVerifier::trimSlash).toList());
    this.audiences = Set.copyOf(audiences);
    this.clock = clock;
  }

  public TokenVerifier(List<String> issuers, String audience) {
    this(issuers, audience, Clock.systemUTC());
  }

  /**
   * The caller a token names.
   *
   * @throws ProblemException 401 when the token is missing, malformed, expired, from an unknown
   *     issuer or not signed by that issuer's keys
   */
  public Caller verify(String token) {
    if (token == null || token.isBlank()) {
      throw ProblemException.unauthorized("a bearer token is required");
    }
    String key = sha256(token);
    Instant now = clock.instant();
    Verified known = verified.get(key);
    if (known != null && now.isBefore(known.expires())) {
      return known.caller();
    }
    Verified fresh = verifyAfresh(token);
    // Expiry by this service's clock, the same clock the cache above is read with.
    if (!now.isBefore(fresh.expires())) {
      throw ProblemException.unauthorized("the token has expired");
    }
    remember(key, fresh, now);
    return fresh.caller();
  }

  private void remember(String key, Verified entry, Instant now) {
    if (verified.size() >= MAX_REMEMBERED) {
      verified.values().removeIf(v -> !now.isBefore(v.expires()));
      if (verified.size() >= MAX_REMEMBERED) {
        return; // many live tokens: verify the rest each time rather than grow without bound
      }
    }
    verified.put(key, entry);
  }

  /** Verifies the signature and claims; the caller with the token's expiry. */
  private Verified verifyAfresh(String token) {
    String issuer;
    try {
      issuer = trimSlash(SignedJWT.parse(token).getJWTClaimsSet().getIssuer());
    } catch (ParseException e) {
      throw ProblemException.unauthorized("the token is not a signed JWT");
    }
    if (issuer == null || !issuers.contains(issuer)) {
      throw ProblemException.unauthorized("the token's issuer is not trusted");
    }
    JWTClaimsSet claims;
    try {
      claims = processor(issuer).process(token, null);
    } catch (ProblemException e) {
      throw e;
    } catch (Exception e) {
      throw ProblemException.unauthorized("the token is not valid: " + e.getMessage());
    }
    Date exp = claims.getExpirationTime();
    Instant expires = exp == null ? Instant.MIN : exp.toInstant();
    return new Verified(
        new Caller(issuer, claims.getSubject(), groups(claims), token, expires), expires);
  }

  /** Verifies a token; accepts {@code Bearer xyz} or the raw token. */
  public Caller verifyHeader(String authorization) {
    if (authorization == null) {
      throw ProblemException.unauthorized("a bearer token is required");
    }
    return verify(bearerToken(authorization));
  }

  /** The token in an authorization value, as {@link #verifyHeader} reads it. */
  public static String bearerToken(String authorization) {
    String value = authorization.trim();
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      value = value.substring(7).trim();
    }
    return value;
  }

  private static List<String> groups(JWTClaimsSet claims) {
    try {
      List<String> groups = claims.getStringListClaim("groups");
      return groups == null ? List.of() : List.copyOf(groups);
    } catch (ParseException e) {
      return List.of();
    }
  }

  /**
   * The issuer's processor, built outside any map computation: building it fetches the discovery
   * document, and a blocking call inside computeIfAbsent would hold up every other issuer.
   */
  private DefaultJWTProcessor<SecurityContext> processor(String issuer) {
    DefaultJWTProcessor<SecurityContext> existing = processors.get(issuer);
    if (existing != null) {
      return existing;
    }
    DefaultJWTProcessor<SecurityContext> built = processorFor(issuer);
    DefaultJWTProcessor<SecurityContext> raced = processors.putIfAbsent(issuer, built);
    return raced == null ? built : raced;
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private DefaultJWTProcessor<SecurityContext> processorFor(String issuer) {
    JWKSource<SecurityContext> keys;
    try {
      // nimbus's default 500 ms read timeout is too short on a loaded 2-core machine. The JWKS is
      // cached; a token with an unknown kid refreshes it (the issuer may have rotated), but at most
      // twice per JWKS_REFRESH_MILLIS, so a flood of forged kids cannot turn into a flood of
      // fetches.
      keys =
          JWKSourceBuilder.create(
                  new URL(jwksUri(issuer)), new DefaultResourceRetriever(3_000, 5_000, 512 * 1024))
              .rateLimited(JWKS_REFRESH_MILLIS)
              .retrying(true)
              .build();
    } catch (IOException e) {
      throw ProblemException.unavailable("cannot reach the keys of issuer " + issuer);
    }
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    // Callers' tokens only: a job's credential (JOB_TOKEN) is of another type and refused here.
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys));
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            audiences,
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            new HashSet<>(List.of("sub", "exp", "iat")),
            null));
    return processor;
  }

  private static String jwksUri(String issuer) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    try {
      HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IOException("discovery answered " + response.statusCode());
      }
      JsonNode doc = EventCodec.JSON.readTree(response.body());
      if (!issuer.equals(trimSlash(doc.path("issuer").asText()))) {
        throw new IOException("discovery names another issuer");
      }
      return doc.path("jwks_uri").asText();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static String trimSlash(String s) {
    return s != null && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
