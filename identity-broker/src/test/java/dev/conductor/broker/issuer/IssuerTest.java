package dev.conductor.broker.issuer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class IssuerTest {
  @ConfigProperty(name = "conductor.broker.issuer")
  String issuer;

  @Inject SigningKeys keys;

  @Test
  void discoveryNamesTheEndpoints() {
    given()
        .get("/.well-known/openid-configuration")
        .then()
        .statusCode(200)
        .body("issuer", equalTo(issuer))
        .body("jwks_uri", equalTo(issuer + "/oauth2/jwks"))
        .body("token_endpoint", equalTo(issuer + "/oauth2/token"))
        .body("grant_types_supported", hasItem("client_credentials"))
        .body("id_token_signing_alg_values_supported", hasItem("ES256"))
        .body("token_endpoint_auth_methods_supported", hasItem("client_secret_basic"));
  }

  @Test
  void goodClientGetsATokenThatVerifiesAgainstTheJwks() throws Exception {
    String token =
        given()
            .contentType("application/x-www-form-urlencoded")
            .formParam("grant_type", "client_credentials")
            .formParam("client_id", "alice")
            .formParam("client_secret", "alice-secret")
            .post("/oauth2/token")
            .then()
            .statusCode(200)
            .header("Cache-Control", "no-store")
            .body("token_type", equalTo("Bearer"))
            .body("expires_in", equalTo(900))
            .extract()
            .path("access_token");

    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
    JWKSet jwks = JWKSet.load(new URL(issuer + "/oauth2/jwks"));
    ECKey key = (ECKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(key).isNotNull();
    assertThat(key.isPrivate()).isFalse();
    assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();

    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo(issuer);
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getAudience()).containsExactly("conductor");
    assertThat(claims.getStringListClaim("groups")).isEmpty();
    assertThat(claims.getJWTID()).isNotBlank();
    assertThat(claims.getNotBeforeTime()).isNotNull();
    assertThat(
            Duration.between(
                claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
        .isEqualTo(Duration.ofMinutes(15));
  }

  /** A token is for one audience: the API's by default, the triggers' when asked; no other. */
  @Test
  void aTokenIsForTheAudienceAskedAndOnlyAKnownOne() throws Exception {
    String trigger =
        given()
            .contentType("application/x-www-form-urlencoded")
            .formParam("grant_type", "client_credentials")
            .formParam("audience", "conductor-triggers")
            .formParam("client_id", "alice")
            .formParam("client_secret", "alice-secret")
            .post("/oauth2/token")
            .then()
            .statusCode(200)
            .extract()
            .path("access_token");
    assertThat(SignedJWT.parse(trigger).getJWTClaimsSet().getAudience())
        .containsExactly("conductor-triggers");

    given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("grant_type", "client_credentials")
        .formParam("audience", "https://graph.example.com")
        .formParam("client_id", "alice")
        .formParam("client_secret", "alice-secret")
        .post("/oauth2/token")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_target"));
  }

  @Test
  void basicAuthAndGroupsWork() throws Exception {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                "trigger-service:trigger-service-secret".getBytes(StandardCharsets.UTF_8));
    String token =
        given()
            .header("Authorization", "Basic " + basic)
            .contentType("application/x-www-form-urlencoded")
            .formParam("grant_type", "client_credentials")
            .post("/oauth2/token")
            .then()
            .statusCode(200)
            .extract()
            .path("access_token");
    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getStringListClaim("groups"))
        .containsExactly("conductor-services");
  }

  @Test
  void wrongSecretOrUnknownClientIsInvalidClient() {
    for (String[] client :
        List.of(new String[] {"alice", "bob-secret"}, new String[] {"mallory", "x"})) {
      given()
          .contentType("application/x-www-form-urlencoded")
          .formParam("grant_type", "client_credentials")
          .formParam("client_id", client[0])
          .formParam("client_secret", client[1])
          .post("/oauth2/token")
          .then()
          .statusCode(401)
          .body("error", equalTo("invalid_client"));
    }
  }

  @Test
  void wrongSecretsAreBudgetedPerClientAndTheRealClientStillGetsIn() {
    // The real client has authenticated before: its secret is remembered.
    tokenRequest("executor-prod", "executor-prod-secret").then().statusCode(200);

    int refusedAt = -1;
    for (int i = 0; i < 10 && refusedAt < 0; i++) {
      int status = tokenRequest("executor-prod", "guess-" + i).then().extract().statusCode();
      if (status == 429) {
        refusedAt = i;
      } else {
        assertThat(status).isEqualTo(401);
      }
    }
    assertThat(refusedAt).as("wrong secrets refused unchecked after a burst").isBetween(1, 6);
    tokenRequest("executor-prod", "guess-again")
        .then()
        .statusCode(429)
        .header("Retry-After", notNullValue())
        .contentType("application/problem+json")
        .body("type", equalTo("https://conductor.dev/problems/quota"))
        .body("error", equalTo("invalid_client"));

    tokenRequest("executor-prod", "executor-prod-secret").then().statusCode(200);
    tokenRequest("auditor", "wrong").then().statusCode(401);
  }

  private static io.restassured.response.Response tokenRequest(String id, String secret) {
    return given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("grant_type", "client_credentials")
        .formParam("client_id", id)
        .formParam("client_secret", secret)
        .post("/oauth2/token");
  }

  @Test
  void otherGrantsAreRefused() {
    given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("grant_type", "password")
        .formParam("client_id", "alice")
        .formParam("client_secret", "alice-secret")
        .post("/oauth2/token")
        .then()
        .statusCode(400)
        .body("error", equalTo("unsupported_grant_type"));
    given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("client_id", "alice")
        .post("/oauth2/token")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_request"));
  }

  @Test
  void rotationKeepsRetiredKeysPublished() throws Exception {
    String before = keys.current().getKeyID();
    String after = keys.rotate().getKeyID();
    assertThat(after).isNotEqualTo(before);
    JWKSet jwks = JWKSet.load(new URL(issuer + "/oauth2/jwks"));
    assertThat(jwks.getKeys()).extracting(k -> k.getKeyID()).contains(before, after);
    assertThat(jwks.getKeys()).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
    // Tokens are now signed with the new key.
    String token =
        given()
            .contentType("application/x-www-form-urlencoded")
            .formParam("grant_type", "client_credentials")
            .formParam("client_id", "carol")
            .formParam("client_secret", "carol-secret")
            .post("/oauth2/token")
            .then()
            .statusCode(200)
            .extract()
            .path("access_token");
    assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo(after);
    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant())
        .isAfter(Instant.now());
  }
}
