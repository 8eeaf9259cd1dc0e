package dev.conductor.broker.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.conductor.broker.config.BrokerConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Signs JWTs as this issuer: ES256 with the current key, its kid and {@code typ: JWT} (a job's
 * credential: {@code job+jwt}).
 */
@ApplicationScoped
public class JwtSigner {
  private final SigningKeys keys;
  private final String issuer;

  public JwtSigner(SigningKeys keys, BrokerConfig config) {
    this.keys = keys;
    this.issuer = trimSlash(config.issuer());
  }

  /** The {@code iss} of every token signed here. */
  public String issuer() {
    return issuer;
  }

  /** Signs the claims; the caller sets {@code iss} with {@link #issuer()}. */
  public String sign(JWTClaimsSet claims) {
    return sign(claims, JOSEObjectType.JWT);
  }

  /** Signs the claims as a token of {@code type} (a job's credential has its own). */
  public String sign(JWTClaimsSet claims, JOSEObjectType type) {
    ECKey key = keys.current();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).type(type).keyID(key.getKeyID()).build(),
            claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return jwt.serialize();
  }

  static String trimSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
