package dev.conductor.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EventTypeTest {
  private static final Pattern TYPE = Pattern.compile("dev\\.conductor\\.[a-z.-]+\\.v1");

  @ParameterizedTest
  @EnumSource(EventType.class)
  void typeStringHasTheConductorShape(EventType type) {
    assertThat(type.type()).matches(TYPE);
    assertThat(type.type()).isEqualTo("dev.conductor." + type.shortName() + ".v1");
    assertThat(type.schemaResource()).isEqualTo("/schemas/" + type.shortName() + ".v1.json");
    assertThat(EventType.ofType(type.type())).contains(type);
  }

  @Test
  void typeStringsAreUnique() {
    List<String> types = Arrays.stream(EventType.values()).map(EventType::type).toList();

    assertThat(new HashSet<>(types)).hasSameSizeAs(types);
  }

  @Test
  void dataClassesAreUniqueRecords() {
    List<Class<?>> classes = Arrays.stream(EventType.values()).map(EventType::dataClass).toList();

    assertThat(new HashSet<>(classes)).hasSameSizeAs(classes);
    assertThat(classes).allSatisfy(c -> assertThat(c.isRecord()).as(c.getName()).isTrue());
  }

  @Test
  void unknownTypesAreNotFound() {
    assertThat(EventType.ofType("dev.conductor.run.requested.v2")).isEmpty();
    assertThat(EventType.ofType("run.requested")).isEmpty();
    assertThat(EventType.ofType("RUN_REQUESTED")).isEmpty();
    assertThat(EventType.ofType(null)).isEmpty();
  }

  @Test
  void perPoolTypesNameThePoolTopic() {
    assertThat(EventType.JOB_AUTHORIZED.perPool()).isTrue();
    assertThat(EventType.JOB_AUTHORIZED.topic("dev")).isEqualTo("conductor.jobs.dev");
    assertThat(EventType.JOB_AUTHORIZED.topic("dev")).isEqualTo(Topics.jobs("dev"));
    assertThat(EventType.ATTEMPT_CANCEL_REQUESTED.perPool()).isTrue();
    assertThat(EventType.ATTEMPT_CANCEL_REQUESTED.topic("dev")).isEqualTo("conductor.control.dev");
    assertThat(EventType.ATTEMPT_CANCEL_REQUESTED.topic("prod")).isEqualTo(Topics.control("prod"));
    assertThat(Arrays.stream(EventType.values()).filter(EventType::perPool))
        .containsExactlyInAnyOrder(EventType.JOB_AUTHORIZED, EventType.ATTEMPT_CANCEL_REQUESTED);
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void topicWithoutPoolOnlyForSharedTopics(EventType type) {
    if (type.perPool()) {
      assertThatThrownBy(type::topic).isInstanceOf(IllegalStateException.class);
    } else {
      assertThat(type.topic()).isEqualTo(type.topic("prod")).startsWith("conductor.");
    }
  }

  @Test
  void everyTopicATypeNamesIsCreated() {
    Set<String> created =
        Topics.all().stream().map(Topics.TopicSpec::name).collect(Collectors.toSet());
    for (EventType type : EventType.values()) {
      for (String pool : Topics.DEFAULT_POOLS) {
        assertThat(created).as(type.type() + " in pool " + pool).contains(type.topic(pool));
      }
    }
  }

  @Test
  void designTableTopics() {
    assertThat(EventType.TRIGGER_REQUESTED.topic()).isEqualTo(Topics.TRIGGERS);
    assertThat(EventType.RUN_REQUESTED.topic()).isEqualTo(Topics.RUNS);
    assertThat(EventType.JOB_SCHEDULED.topic()).isEqualTo(Topics.RUNS);
    assertThat(EventType.JOB_WAITING.topic()).isEqualTo(Topics.RUNS);
    assertThat(EventType.DECISION_RECORDED.topic()).isEqualTo(Topics.DECISIONS);
    assertThat(EventType.CREDENTIAL_REVOKED.topic()).isEqualTo(Topics.DECISIONS);
    assertThat(EventType.JOB_DENIED.topic()).isEqualTo(Topics.JOB_EVENTS);
    assertThat(EventType.JOB_CREDENTIAL_FAILED.topic()).isEqualTo(Topics.JOB_EVENTS);
    assertThat(EventType.ATTEMPT_HEARTBEAT.topic()).isEqualTo(Topics.JOB_EVENTS);
    assertThat(EventType.CONFIG_CHANGED.topic()).isEqualTo(Topics.CHANGES);
    assertThat(EventType.AUDIT_CHECKPOINT.topic()).isEqualTo(Topics.AUDIT);
  }
}
