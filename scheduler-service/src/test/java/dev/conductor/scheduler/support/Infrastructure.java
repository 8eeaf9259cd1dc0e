package dev.conductor.scheduler.support;

import dev.conductor.testkit.AccessTestResource;
import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;

/**
 * The real Kafka, PostgreSQL, OIDC issuer and access-check server every {@code @QuarkusTest} of
 * this module runs against (one set for all classes, so the application boots once).
 */
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = IssuerTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AccessTestResource.class, restrictToAnnotatedClass = false)
public final class Infrastructure {
  private Infrastructure() {}
}
