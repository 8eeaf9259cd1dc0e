package dev.conductor.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void allTopicsAreUniqueAndPositive() {
    List<Topics.TopicSpec> all = Topics.all();
    List<String> names = all.stream().map(Topics.TopicSpec::name).toList();

    assertThat(names).doesNotHaveDuplicates().allMatch(n -> n.startsWith("conductor."));
    assertThat(all).allSatisfy(t -> assertThat(t.partitions()).isPositive());
    assertThat(names)
        .contains(Topics.TRIGGERS, Topics.RUNS, Topics.RUN_REQUESTS, "conductor.jobs.prod")
        .contains("conductor.control.test", "conductor.attempts.dev")
        .contains("conductor.dlq.scheduler-service", "conductor.dlq.executor-prod")
        .contains("conductor.changes.identity-broker");
  }

  @Test
  void onlyTriggersUseLogAppendTime() {
    assertThat(Topics.all())
        .filteredOn(Topics.TopicSpec::logAppendTime)
        .extracting(Topics.TopicSpec::name)
        .containsExactly(Topics.TRIGGERS);
  }

  @Test
  void auditHasOneChainPerPartition() {
    assertThat(Topics.all())
        .filteredOn(t -> t.name().equals(Topics.AUDIT))
        .singleElement()
        .satisfies(t -> assertThat(t.partitions()).isEqualTo(Topics.AUDIT_PARTITIONS));
  }

  @Test
  void poolsAreConfigurable() {
    assertThat(Topics.all(List.of("gpu")))
        .extracting(Topics.TopicSpec::name)
        .contains("conductor.jobs.gpu", "conductor.control.gpu", "conductor.attempts.gpu")
        .doesNotContain("conductor.jobs.dev");
  }

  @Test
  void eachPoolsExecutorsWriteOnlyTheirOutcomesAndDeadLetters() {
    assertThat(Topics.all(List.of("gpu", "cpu")))
        .filteredOn(t -> t.writer().equals(Principals.executor("gpu")))
        .extracting(Topics.TopicSpec::name)
        .containsExactlyInAnyOrder("conductor.attempts.gpu", "conductor.dlq.executor-gpu");
    assertThat(Topics.all(List.of("gpu", "cpu")))
        .filteredOn(t -> t.readers().contains(Principals.executor("gpu")))
        .extracting(Topics.TopicSpec::name)
        .containsExactlyInAnyOrder("conductor.jobs.gpu", "conductor.control.gpu");
  }

  @Test
  void outsidersTouchOnlyTheirTopic() {
    assertThat(Topics.all())
        .filteredOn(t -> t.writer().equals(Principals.UPSTREAM))
        .extracting(Topics.TopicSpec::name)
        .containsExactly(Topics.TRIGGERS);
    assertThat(Topics.all())
        .filteredOn(t -> t.readers().contains(Principals.ANALYST))
        .extracting(Topics.TopicSpec::name)
        .containsExactly(Topics.AUDIT);
    assertThat(Topics.all())
        .filteredOn(t -> t.name().equals(Topics.TRIGGERS))
        .singleElement()
        .satisfies(t -> assertThat(t.readers()).containsExactly(Principals.TRIGGER_SERVICE));
  }
}
