package dev.conductor.platform.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

/** Which bearer tokens this service accepts ({@code conductor.auth.*}). */
@ConfigMapping(prefix = "conductor.auth")
public interface AuthSettings {
  /** The OIDC issuers whose tokens are accepted, each found through its discovery document. */
  List<String> issuers();

  /** The audience a token must name. */
  @WithDefault("conductor")
  String audience();
}
