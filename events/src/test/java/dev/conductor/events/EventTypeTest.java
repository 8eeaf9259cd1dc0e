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
    assertThat(EventType.ATTEMPT_SUCCEEDED.topic("prod")).isEqualTo(Topics.attempts("prod"));
    assertThat(Arrays.stream(EventType.values()).filter(EventType::perPool))
        .containsExactlyInAnyOrder(
            EventType.JOB_AUTHORIZED,
            EventType.ATTEMPT_CANCEL_REQUESTED,
            EventType.ATTEMPT_STARTED,
            EventType.ATTEMPT_HEARTBEAT,
            EventType.ATTEMPT_SUCCEEDED,
            EventType.ATTEMPT_FAILED,
            EventType.ATTEMPT_TIMED_OUT,
            EventType.ATTEMPT_CANCELLED);
  }

  @Test
  void aTypeBelongsOnlyOnItsWritersTopic() {
    assertThat(EventType.RUN_QUEUED.belongsOn(Topics.RUNS)).isTrue();
    assertThat(EventType.RUN_REQUESTED.belongsOn(Topics.RUNS)).isFalse();
    assertThat(EventType.ATTEMPT_SUCCEEDED.belongsOn(Topics.attempts("prod"))).isTrue();
    assertThat(EventType.ATTEMPT_SUCCEEDED.belongsOn(Topics.JOB_EVENTS)).isFalse();
    assertThat(EventType.ATTEMPT_SUCCEEDED.belongsOn(Topics.ATTEMPTS_PREFIX)).isFalse();
    assertThat(EventType.JOB_DENIED.belongsOn(Topics.attempts("dev"))).isFalse();
    assertThat(EventType.CONFIG_CHANGED.belongsOn(Topics.changes("identity-broker"))).isTrue();
    assertThat(EventType.CONFIG_CHANGED.belongsOn(Topics.dlq("identity-broker"))).isFalse();
  }

  @Test
  void perWriterTypesNameTheWritersTopic() {
    assertThat(EventType.CONFIG_CHANGED.scope()).isEqualTo(EventType.Scope.PER_WRITER);
    assertThat(EventType.CONFIG_CHANGED.topic(Principals.IDENTITY_BROKER))
        .isEqualTo("conductor.changes.identity-broker");
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void topicWithoutPoolOnlyForSharedTopics(EventType type) {
    if (type.scope() != EventType.Scope.SHARED) {
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
      List<String> keys =
          switch (type.scope()) {
            case SHARED -> List.of("");
            case PER_POOL -> Topics.DEFAULT_POOLS;
            case PER_WRITER ->
                List.of(
                    Principals.TRIGGER_SERVICE,
                    Principals.SCHEDULER_SERVICE,
                    Principals.IDENTITY_BROKER);
          };
      for (String key : keys) {
        assertThat(created).as(type.type() + " for " + key).contains(type.topic(key));
      }
    }
  }

  @Test
  void designTableTopics() {
    assertThat(EventType.TRIGGER_REQUESTED.topic()).isEqualTo(Topics.TRIGGERS);
    assertThat(EventType.RUN_REQUESTED.topic()).isEqualTo(Topics.RUN_REQUESTS);
    assertThat(EventType.JOB_SCHEDULED.topic()).isEqualTo(Topics.RUNS);
    assertThat(EventType.JOB_WAITING.topic()).isEqualTo(Topics.RUNS);
    assertThat(EventType.DECISION_RECORDED.topic()).isEqualTo(Topics.DECISIONS);
    assertThat(EventType.CREDENTIAL_REVOKED.topic()).isEqualTo(Topics.DECISIONS);
    assertThat(EventType.JOB_DENIED.topic()).isEqualTo(Topics.JOB_EVENTS);
    assertThat(EventType.JOB_CREDENTIAL_FAILED.topic()).isEqualTo(Topics.JOB_EVENTS);
    assertThat(EventType.ATTEMPT_FENCED.topic()).isEqualTo(Topics.RUNS);
    assertThat(EventType.AUDIT_CHECKPOINT.topic()).isEqualTo(Topics.AUDIT);
  }
}
