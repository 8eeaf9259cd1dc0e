package dev.conductor.platform.dlq;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

/** What a dead letter leaves out ({@code conductor.dlq.*}). */
@ConfigMapping(prefix = "conductor.dlq")
public interface DlqSettings {
  /** Headers never copied to {@code conductor.dlq}, compared without case: they carry secrets. */
  @WithDefault("authorization,proxy-authorization,cookie,x-api-key")
  List<String> secretHeaders();
}
