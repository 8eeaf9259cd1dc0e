package dev.conductor.broker.issuer;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.conductor.broker.config.BrokerConfig;
import dev.conductor.broker.policy.PolicyStore;
import dev.conductor.platform.problem.Problem;
import dev.conductor.platform.problem.ProblemType;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The OAuth 2.0 token endpoint, client-credentials grant only (secret in the form or HTTP Basic).
 * Errors use RFC 6749's own JSON ({@code {"error": ...}}) rather than problem+json, because OAuth
 * clients parse that shape.
 *
 * <p>A token is for one audience, asked with the {@code audience} form parameter: Conductor's API
 * ({@value #AUDIENCE}, the default) or the triggers on Kafka ({@value #TRIGGERS_AUDIENCE}), so a
 * token for one is never accepted by the other. Any other audience is {@code invalid_target} (RFC
 * 8707).
 */
@Path("/oauth2/token")
public class TokenResource {
  public static final String AUDIENCE = "conductor";
  public static final String TRIGGERS_AUDIENCE = "conductor-triggers";
  private static final java.util.Set<String> AUDIENCES =
      java.util.Set.of(AUDIENCE, TRIGGERS_AUDIENCE);

  private final PolicyStore store;
  private final FailedAuthentications failures;
  private final JwtSigner signer;
  private final Duration lifetime;
  private final Clock clock;

  public TokenResource(
      PolicyStore store,
      FailedAuthentications failures,
      JwtSigner signer,
      BrokerConfig config,
      Clock clock) {
    this.store = store;
    this.failures = failures;
    this.signer = signer;
    this.lifetime = config.tokenLifetime();
    this.clock = clock;
  }

  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> token(
      @FormParam("grant_type") String grantType,
      @FormParam("client_id") String formId,
      @FormParam("client_secret") String formSecret,
      @FormParam("audience") String audience,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    if (grantType == null || grantType.isBlank()) {
      return Uni.createFrom().item(error(400, "invalid_request", "grant_type is required"));
    }
    if (!"client_credentials".equals(grantType)) {
      return Uni.createFrom()
          .item(error(400, "unsupported_grant_type", "only client_credentials is supported"));
    }
    String target = audience == null || audience.isBlank() ? AUDIENCE : audience;
    if (!AUDIENCES.contains(target)) {
      return Uni.createFrom()
          .item(
              error(
                  400,
                  "invalid_target",
                  "audience must be " + AUDIENCE + " or " + TRIGGERS_AUDIENCE));
    }
    boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
    String id = formId;
    String secret = formSecret;
    if (basic) {
      Optional<String[]> pair = basicCredentials(authorization.substring(6).trim());
      if (pair.isEmpty() || formSecret != null) {
        // RFC 6749 2.3: a client uses one authentication method per request.
        return Uni.createFrom()
            .item(error(400, "invalid_request", "use one client authentication method"));
      }
      id = pair.get()[0];
      secret = pair.get()[1];
    }
    if (id == null || id.isBlank() || secret == null) {
      return Uni.createFrom().item(error(401, "invalid_client", "client authentication failed"));
    }
    String clientId = id;
    String clientSecret = secret;
    // PBKDF2 is deliberately slow: keep it off the event loop.
    return Uni.createFrom()
        .item(() -> authenticate(clientId, clientSecret, target))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  private Response authenticate(String id, String secret, String audience) {
    Optional<Client> client = store.client(id);
    String stored = client.map(Client::secretHash).orElse(null);
    if (stored != null && failures.remembered(id, secret, stored)) {
      return issue(client.get(), audience);
    }
    Optional<Duration> wait = failures.waitBefore(id);
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      // A problem of the catalogue's kind "quota" that OAuth clients can read too: RFC 9457
      // allows extension members, so RFC 6749's error and error_description stay.
      String detail = "too many failed client authentications; retry in " + seconds + " s";
      Map<String, Object> problem = new LinkedHashMap<>();
      problem.put("type", ProblemType.QUOTA.uri());
      problem.put("title", ProblemType.QUOTA.title());
      problem.put("status", ProblemType.QUOTA.status());
      problem.put("detail", detail);
      problem.put("instance", "/oauth2/token");
      problem.put("error", "invalid_client");
      problem.put("error_description", detail);
      return noStore(
              Response.status(ProblemType.QUOTA.status()).type(Problem.MEDIA_TYPE).entity(problem))
          .header(HttpHeaders.RETRY_AFTER, seconds)
          .build();
    }
    // Verify even for an unknown client, so timing does not tell which ids exist.
    if (!ClientSecrets.verify(secret, stored)) {
      failures.failed(id);
      return error(401, "invalid_client", "client authentication failed");
    }
    failures.succeeded(id, secret, stored);
    return issue(client.get(), audience);
  }

  private Response issue(Client client, String audience) {
    Instant now = clock.instant();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(signer.issuer())
            .subject(client.id())
            .audience(audience)
            .claim("groups", client.groups())
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(lifetime)))
            .jwtID(UUID.randomUUID().toString())
            .build();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", signer.sign(claims));
    body.put("token_type", "Bearer");
    body.put("expires_in", lifetime.toSeconds());
    return noStore(Response.ok(body, MediaType.APPLICATION_JSON_TYPE)).build();
  }

  private static Optional<String[]> basicCredentials(String encoded) {
    try {
      String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        return Optional.empty();
      }
      // RFC 6749 2.3.1: id and secret are form-urlencoded before Basic encoding.
      return Optional.of(
          new String[] {
            URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
            URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
          });
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Response error(int status, String code, String description) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("error_description", description);
    Response.ResponseBuilder builder =
        noStore(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body));
    if (status == 401) {
      // HTTP requires a challenge on 401; Basic is the header scheme this endpoint accepts.
      builder.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"conductor\"");
    }
    return builder.build();
  }

  private static Response.ResponseBuilder noStore(Response.ResponseBuilder builder) {
    return builder.header(HttpHeaders.CACHE_CONTROL, "no-store").header("Pragma", "no-cache");
  }
}
