package dev.conductor.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.events.Topics.TopicSpec;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {
  private static EmbeddedKafka kafka;
  private static Admin admin;

  @BeforeAll
  static void start() {
    long started = System.nanoTime();
    kafka = EmbeddedKafka.start(Topics.DEFAULT_POOLS, BusSecrets.generate(List.of("dev", "gpu")));
    System.out.printf(
        "EmbeddedKafka with topics ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    admin = Admin.create(kafka.client(Principals.ADMIN));
  }

  @AfterAll
  static void stop() {
    try {
      if (admin != null) {
        admin.close();
      }
    } finally {
      if (kafka != null) {
        kafka.close();
        assertThat(Files.exists(kafka.logDir())).as("temp log dir deleted").isFalse();
      }
    }
  }

  @Test
  void everyTopicExistsWithItsPartitionCount() throws Exception {
    List<TopicSpec> specs = Topics.all();
    Map<String, TopicDescription> described =
        admin
            .describeTopics(specs.stream().map(TopicSpec::name).toList())
            .allTopicNames()
            .get(10, TimeUnit.SECONDS);
    for (TopicSpec spec : specs) {
      assertThat(described).containsKey(spec.name());
      assertThat(described.get(spec.name()).partitions())
          .as(spec.name())
          .hasSize(spec.partitions());
    }
    assertThat(described).containsKeys(Topics.jobs("prod"), Topics.control("dev"));
  }

  @Test
  void onlyTheTriggersTopicUsesLogAppendTime() throws Exception {
    ConfigResource triggers = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TRIGGERS);
    ConfigResource runs = new ConfigResource(ConfigResource.Type.TOPIC, Topics.RUNS);
    Map<ConfigResource, Config> configs =
        admin.describeConfigs(List.of(triggers, runs)).all().get(10, TimeUnit.SECONDS);
    assertThat(configs.get(triggers).get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value())
        .isEqualTo("LogAppendTime");
    assertThat(configs.get(runs).get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value())
        .isEqualTo("CreateTime");
  }

  @Test
  void producedRecordIsConsumed() throws Exception {
    send(new ProducerRecord<>(Topics.RUNS, "run-1", "hello"));
    ConsumerRecord<String, String> record = consumeOne(Topics.RUNS, "run-1");
    assertThat(record.value()).isEqualTo("hello");
    assertThat(record.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
  }

  @Test
  void brokerStampsTriggersWithItsOwnClock() throws Exception {
    long producerClaims = 1_000L;
    send(new ProducerRecord<>(Topics.TRIGGERS, null, producerClaims, "trigger-1", "t"));
    ConsumerRecord<String, String> record = consumeOne(Topics.TRIGGERS, "trigger-1");
    assertThat(record.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
    assertThat(record.timestamp()).isGreaterThan(System.currentTimeMillis() - 60_000);
  }

  @Test
  void provisioningIsIdempotentAndAddsPoolsWithTheirExecutorsAcls() throws Exception {
    kafka.provision(List.of("dev", "gpu"));
    kafka.provision(List.of("dev", "gpu"));
    Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
    assertThat(names)
        .contains(Topics.jobs("gpu"), Topics.control("gpu"), Topics.attempts("gpu"))
        .contains(Topics.dlq(Principals.executor("gpu")), Topics.jobs("dev"));
    assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get(10, TimeUnit.SECONDS))
        .containsAll(Bus.acls(List.of("dev", "gpu")));

    send(Principals.executor("gpu"), Topics.attempts("gpu"), "gpu-1");
    assertThatThrownBy(() -> send(Principals.executor("gpu"), Topics.attempts("dev"), "gpu-2"))
        .hasCauseInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void aClientWithoutCredentialsGetsNothing() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    try (Admin anonymous = Admin.create(props)) {
      assertThatThrownBy(() -> anonymous.listTopics().names().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
    }
  }

  @Test
  void aWrongPasswordIsRefused() {
    Map<String, Object> client = new java.util.HashMap<>(kafka.client(Principals.UPSTREAM));
    client.put(
        "sasl.jaas.config", BusSecrets.jaas(Principals.UPSTREAM, "not-" + System.nanoTime()));
    client.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    client.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
    try (Admin impostor = Admin.create(client)) {
      assertThatThrownBy(() -> impostor.listTopics().names().get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void eachPrincipalWritesOnlyItsOwnTopics() throws Exception {
    send(Principals.TRIGGER_SERVICE, Topics.RUN_REQUESTS, "run-requested-1");
    send(Principals.UPSTREAM, Topics.TRIGGERS, "trigger-2");
    assertThatThrownBy(() -> send(Principals.TRIGGER_SERVICE, Topics.RUNS, "forged-1"))
        .hasCauseInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> send(Principals.UPSTREAM, Topics.RUN_REQUESTS, "forged-2"))
        .hasCauseInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> send(Principals.executor("dev"), Topics.JOB_EVENTS, "forged-3"))
        .hasCauseInstanceOf(TopicAuthorizationException.class);
    // A principal that may write no topic at all is refused its producer id first.
    assertThatThrownBy(() -> send(Principals.ANALYST, Topics.AUDIT, "forged-4"))
        .hasCauseInstanceOf(ClusterAuthorizationException.class);
  }

  @Test
  void analystsReadTheAuditAndNothingElse() throws Exception {
    send(Principals.AUDIT_SERVICE, Topics.AUDIT, "audit-1");
    assertThat(consumeOne(Principals.ANALYST, "analyst-a", Topics.AUDIT, "audit-1").value())
        .isEqualTo("hello");
    assertThatThrownBy(() -> consumeOne(Principals.ANALYST, "analyst-b", Topics.RUNS, "x"))
        .isInstanceOf(TopicAuthorizationException.class);
    // A service's consumer group is not the analyst's to join.
    assertThatThrownBy(
            () -> consumeOne(Principals.ANALYST, Principals.AUDIT_SERVICE, Topics.AUDIT, "x"))
        .isInstanceOf(GroupAuthorizationException.class);
  }

  @Test
  void unknownTopicsAreNotAutoCreated() throws Exception {
    Properties props = producerProps();
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      assertThatThrownBy(
              () -> producer.send(new ProducerRecord<>("conductor.typo", "k", "v")).get())
          .isInstanceOf(ExecutionException.class);
    }
    assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
        .doesNotContain("conductor.typo");
  }

  private static Properties producerProps() {
    return producerProps(Principals.ADMIN);
  }

  private static Properties producerProps(String principal) {
    Properties props = new Properties();
    props.putAll(kafka.client(principal));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return props;
  }

  private static void send(ProducerRecord<String, String> record) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
      producer.send(record).get(10, TimeUnit.SECONDS);
    }
  }

  /** Sends as {@code principal}; a refusal is the {@link ExecutionException} of the send. */
  private static void send(String principal, String topic, String key) throws Exception {
    Properties props = producerProps(principal);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      producer.send(new ProducerRecord<>(topic, key, "hello")).get(10, TimeUnit.SECONDS);
    }
  }

  /** Reads the topic from the start with a fresh group until the record with {@code key}. */
  private static ConsumerRecord<String, String> consumeOne(String topic, String key) {
    return consumeOne(Principals.ADMIN, "test-" + System.nanoTime(), topic, key);
  }

  private static ConsumerRecord<String, String> consumeOne(
      String principal, String group, String topic, String key) {
    Properties props = new Properties();
    props.putAll(kafka.client(principal));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<ConsumerRecord<String, String>> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInSameThread()
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.stream().anyMatch(r -> key.equals(r.key()));
              });
    }
    return seen.stream().filter(r -> key.equals(r.key())).collect(Collectors.toList()).get(0);
  }
}
