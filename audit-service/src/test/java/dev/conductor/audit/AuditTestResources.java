package dev.conductor.audit;

import dev.conductor.testkit.AccessTestResource;
import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;

/** The real Kafka, PostgreSQL, token issuer and access server every test of this module shares. */
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = IssuerTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = AccessTestResource.class, restrictToAnnotatedClass = false)
public final class AuditTestResources {
  private AuditTestResources() {}
}
