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
        .contains(Topics.TRIGGERS, Topics.RUNS, Topics.DLQ, "conductor.jobs.prod")
        .contains("conductor.control.test");
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
        .contains("conductor.jobs.gpu", "conductor.control.gpu")
        .doesNotContain("conductor.jobs.dev");
  }
}
