package dev.conductor.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The JVM-wide shared OIDC issuer for {@code @QuarkusTest}s. Config: {@code conductor.auth.issuers}
 * (the issuer URL). Tests mint tokens with {@code IssuerTestResource.issuer().token(...)}.
 */
public class IssuerTestResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    return Map.of("conductor.auth.issuers", Shared.issuer().issuer());
  }

  /** The issuer outlives this test class: later ones reuse it; a shutdown hook stops it. */
  @Override
  public void stop() {}

  /** The shared issuer, starting it if needed. */
  public static TestIssuer issuer() {
    return Shared.issuer();
  }
}
