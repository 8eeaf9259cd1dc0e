package dev.conductor.executor.registration;

import dev.conductor.executor.pool.ExecutorIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the scheduler counts this executor's slots (a registration within the lease).
 */
@Readiness
@ApplicationScoped
public class RegistrationReadiness implements HealthCheck {
  private final Registration registration;
  private final ExecutorIdentity identity;

  public RegistrationReadiness(Registration registration, ExecutorIdentity identity) {
    this.registration = registration;
    this.identity = identity;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder builder =
        HealthCheckResponse.named("executor-registration")
            .status(registration.registered())
            .withData("pool", identity.pool())
            .withData("executorId", identity.id())
            .withData("slots", identity.slots());
    if (registration.lastSuccess() != null) {
      builder.withData("lastRegistration", registration.lastSuccess().toString());
    }
    if (registration.lastError() != null) {
      builder.withData("error", registration.lastError());
    }
    return builder.build();
  }
}
