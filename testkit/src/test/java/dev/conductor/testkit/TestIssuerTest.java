package dev.conductor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestIssuerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static TestIssuer issuer;
  private static DefaultJWTProcessor<SecurityContext> processor;

  @BeforeAll
  static void start() throws Exception {
    issuer = TestIssuer.start();
    processor = verifierFromDiscovery(issuer.issuer());
  }

  @AfterAll
  static void stop() {
    if (issuer != null) {
      issuer.close();
    }
  }

  /** Builds a verifier the way a service does: discovery document, then JWKS over HTTP. */
  private static DefaultJWTProcessor<SecurityContext> verifierFromDiscovery(String issuerUrl)
      throws Exception {
    Map<String, Object> discovery = getJson(issuerUrl + "/.well-known/openid-configuration");
    assertThat(discovery.get("issuer")).isEqualTo(issuerUrl);
    assertThat(JSONObjectUtils.getStringList(discovery, "id_token_signing_alg_values_supported"))
        .containsExactly("ES256");
    assertThat(discovery.get("token_endpoint")).isEqualTo(issuerUrl + "/token");
    JWKSource<SecurityContext> keys =
        JWKSourceBuilder.create(URI.create((String) discovery.get("jwks_uri")).toURL())
            .retrying(false)
            .build();
    DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
    jwtProcessor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT));
    jwtProcessor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys));
    jwtProcessor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            TestIssuer.AUDIENCE,
            new JWTClaimsSet.Builder().issuer(issuerUrl).build(),
            Set.of("sub", "iat", "nbf", "exp", "jti")));
    return jwtProcessor;
  }

  private static Map<String, Object> getJson(String url) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return JSONObjectUtils.parse(response.body());
  }

  @Test
  void tokenVerifiesAgainstThePublishedKeys() throws Exception {
    JWTClaimsSet claims =
        processor.process(issuer.token("alice", List.of("operators", "dev-team")), null);
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getIssuer()).isEqualTo(issuer.issuer());
    assertThat(claims.getAudience()).containsExactly("conductor");
    assertThat(claims.getStringListClaim("groups")).containsExactly("operators", "dev-team");
    assertThat(claims.getExpirationTime()).isAfter(new Date());
  }

  @Test
  void jwksPublishesOnlyThePublicKey() throws Exception {
    Map<String, Object> jwks = getJson(issuer.jwksUri());
    List<Object> keys = JSONObjectUtils.getJSONArray(jwks, "keys");
    assertThat(keys).hasSize(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> key = (Map<String, Object>) keys.get(0);
    assertThat(key).containsEntry("kty", "EC").containsEntry("crv", "P-256").containsKey("kid");
    assertThat(key).doesNotContainKey("d");
  }

  @Test
  void foreignTokenFailsVerification() {
    // Same kid as the published key, so this fails on the signature, not on a missing key.
    assertThatThrownBy(() -> processor.process(issuer.foreignToken("mallory"), null))
        .isInstanceOf(BadJOSEException.class)
        .hasMessageContaining("Invalid signature");
  }

  @Test
  void expiredTokenFailsVerification() {
    Instant past = Instant.now().minusSeconds(3600);
    String expired =
        issuer.token(
            issuer
                .claims("alice", List.of())
                .issueTime(Date.from(past))
                .notBeforeTime(Date.from(past))
                .expirationTime(Date.from(past.plusSeconds(300)))
                .build());
    assertThatThrownBy(() -> processor.process(expired, null))
        .isInstanceOf(BadJWTException.class)
        .hasMessageContaining("Expired");
  }

  @Test
  void wrongAudienceFailsVerification() {
    String other = issuer.token(issuer.claims("alice", List.of()).audience("elsewhere").build());
    assertThatThrownBy(() -> processor.process(other, null))
        .isInstanceOf(BadJWTException.class)
        .hasMessageContaining("aud claim");
  }

  @Test
  void attachedViewMintsTokensTheServedKeysAccept() throws Exception {
    TestIssuer view = TestIssuer.attach(issuer.issuer(), issuer.signingKey());
    assertThat(processor.process(view.token("bob", List.of()), null).getSubject()).isEqualTo("bob");
  }

  @Test
  void tokenEndpointIssuesClientCredentialsTokens() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(issuer.issuer() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=svc-a&groups=ops+admins"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    String token = (String) JSONObjectUtils.parse(response.body()).get("access_token");
    JWTClaimsSet claims = processor.process(token, null);
    assertThat(claims.getSubject()).isEqualTo("svc-a");
    assertThat(claims.getStringListClaim("groups")).containsExactly("ops", "admins");
  }
}
