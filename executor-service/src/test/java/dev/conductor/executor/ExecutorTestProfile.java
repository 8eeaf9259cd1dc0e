package dev.conductor.executor;

import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** One application for every test class: real Kafka, the test issuer, the fake scheduler. */
public class ExecutorTestProfile implements QuarkusTestProfile {
  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(
        new TestResourceEntry(KafkaTestResource.class),
        new TestResourceEntry(IssuerTestResource.class),
        new TestResourceEntry(FakeScheduler.class));
  }
}
