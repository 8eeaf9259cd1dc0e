package dev.conductor.broker.issuer;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OIDC discovery and the JWKS: anonymous by design (outside {@code /api}). */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class DiscoveryResource {
  private final JwtSigner signer;
  private final SigningKeys keys;

  public DiscoveryResource(JwtSigner signer, SigningKeys keys) {
    this.signer = signer;
    this.keys = keys;
  }

  @GET
  @Path(".well-known/openid-configuration")
  public Map<String, Object> configuration() {
    String issuer = signer.issuer();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuer);
    doc.put("jwks_uri", issuer + "/oauth2/jwks");
    doc.put("token_endpoint", issuer + "/oauth2/token");
    doc.put("grant_types_supported", List.of("client_credentials"));
    doc.put("response_types_supported", List.of("token"));
    doc.put("subject_types_supported", List.of("public"));
    doc.put("id_token_signing_alg_values_supported", List.of("ES256"));
    doc.put(
        "token_endpoint_auth_methods_supported",
        List.of("client_secret_post", "client_secret_basic"));
    doc.put("claims_supported", List.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "groups"));
    return doc;
  }

  @GET
  @Path("oauth2/jwks")
  public Uni<Response> jwks() {
    // Short cache: verifiers refetch on an unknown kid anyway, so rotation is seen quickly.
    CacheControl cache = new CacheControl();
    cache.setMaxAge(60);
    return keys.published()
        .map(set -> Response.ok(set.toJSONObject(true)).cacheControl(cache).build());
  }
}
