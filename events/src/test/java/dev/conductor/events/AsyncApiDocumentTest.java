package dev.conductor.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The AsyncAPI document and the code describe the same topics, types and schemas. */
class AsyncApiDocumentTest {
  private static final String POOL = "{pool}";
  private static final String WRITER = "{writer}";

  private static Path yaml;
  private static JsonNode doc;

  @BeforeAll
  static void load() throws IOException {
    assertThat(Files.exists(moduleDir().resolve("pom.xml"))).as("run from the module").isTrue();
    yaml = moduleDir().resolve("asyncapi.yaml");
    doc = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
  }

  @Test
  void isAsyncApi3() {
    assertThat(doc.path("asyncapi").asText()).startsWith("3.");
    assertThat(doc.path("info").path("title").asText()).isNotBlank();
  }

  @Test
  void messageTypesAreExactlyTheEventTypes() {
    Set<String> inDocument = new TreeSet<>();
    for (JsonNode message : iterable(doc.path("components").path("messages"))) {
      assertThat(inDocument.add(message.path("name").asText()))
          .as("message %s listed once", message.path("name").asText())
          .isTrue();
    }

    assertThat(inDocument)
        .isEqualTo(
            Arrays.stream(EventType.values())
                .map(EventType::type)
                .collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void eachMessageSitsOnTheChannelOfItsTopic() {
    Map<String, String> channelOfType = new HashMap<>();
    for (Map.Entry<String, JsonNode> channel : fields(doc.path("channels"))) {
      String address = channel.getValue().path("address").asText();
      for (Map.Entry<String, JsonNode> ref : fields(channel.getValue().path("messages"))) {
        JsonNode message = resolve(ref.getValue().path("$ref").asText());
        String type = message.path("name").asText();
        String previous = channelOfType.put(type, address);
        assertThat(previous).as("%s on one channel only", type).isNull();
      }
    }

    for (EventType type : EventType.values()) {
      assertThat(channelOfType.get(type.type()))
          .as("channel of %s", type.type())
          .isEqualTo(type.topic(type.scope() == EventType.Scope.PER_WRITER ? WRITER : POOL));
    }
  }

  @Test
  void everySchemaReferenceExistsAndIsTheTypesSchema() {
    for (Map.Entry<String, JsonNode> entry : fields(doc.path("components").path("messages"))) {
      JsonNode message = entry.getValue();
      String ref = message.path("payload").path("$ref").asText();
      assertThat(ref).as("payload of %s", entry.getKey()).isNotBlank();

      Path file = yaml.getParent().resolve(ref).normalize();
      assertThat(file).as("schema of %s", entry.getKey()).isRegularFile();

      EventType type = EventType.ofType(message.path("name").asText()).orElseThrow();
      assertThat(file)
          .isEqualTo(
              moduleDir()
                  .resolve("src/main/resources" + type.schemaResource())
                  .toAbsolutePath()
                  .normalize());
      assertThat(entry.getKey()).isEqualTo(type.shortName());
    }
  }

  @Test
  void everyInternalReferenceResolves() {
    assertRefsResolve(doc);
  }

  @Test
  void channelsAreExactlyTheCreatedTopics() {
    Map<String, Topics.TopicSpec> created =
        Topics.all().stream()
            .collect(Collectors.toMap(Topics.TopicSpec::name, t -> t, (a, b) -> a));
    Set<String> covered = new TreeSet<>();

    for (Map.Entry<String, JsonNode> entry : fields(doc.path("channels"))) {
      JsonNode channel = entry.getValue();
      String address = channel.path("address").asText();
      int partitions = channel.path("bindings").path("kafka").path("partitions").asInt(-1);
      boolean appendTime = channel.path("x-log-append-time").asBoolean(false);
      if (address.contains(POOL)) {
        assertThat(channel.path("parameters").has("pool")).as(address).isTrue();
        for (String pool : Topics.DEFAULT_POOLS) {
          String topic = address.replace(POOL, pool);
          assertCreated(created, topic, partitions, appendTime);
          covered.add(topic);
        }
      } else if (address.contains(WRITER)) {
        assertThat(channel.path("parameters").has("writer")).as(address).isTrue();
        String prefix = address.replace(WRITER, "");
        List<String> topics =
            created.keySet().stream().filter(t -> t.startsWith(prefix)).sorted().toList();
        assertThat(topics).as(address).isNotEmpty();
        for (String topic : topics) {
          assertCreated(created, topic, partitions, appendTime);
          assertThat(created.get(topic).writer()).isEqualTo(topic.substring(prefix.length()));
          covered.add(topic);
        }
      } else {
        assertThat(address).doesNotContain("{");
        assertCreated(created, address, partitions, appendTime);
        covered.add(address);
      }
    }

    assertThat(covered).isEqualTo(new TreeSet<>(created.keySet()));
  }

  /** One writer per topic: the operation that sends to a channel names the topic's writer. */
  @Test
  void eachChannelHasOneSendOperationNamingItsWriter() {
    Map<String, String> writerOfChannel = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : fields(doc.path("operations"))) {
      JsonNode operation = entry.getValue();
      assertThat(operation.path("action").asText()).as(entry.getKey()).isEqualTo("send");
      String channelRef = operation.path("channel").path("$ref").asText();
      String summary = operation.path("summary").asText();
      assertThat(summary).as(entry.getKey()).matches("Written by [^ ,]+\\.");
      String writer = summary.substring("Written by ".length(), summary.length() - 1);
      assertThat(writerOfChannel.put(channelRef, writer)).as(channelRef).isNull();
    }
    for (Map.Entry<String, JsonNode> channel : fields(doc.path("channels"))) {
      String address = channel.getValue().path("address").asText();
      String writer = writerOfChannel.get("#/channels/" + channel.getKey());
      assertThat(writer).as("send operation of %s", address).isNotNull();
      for (Topics.TopicSpec spec : Topics.all()) {
        String pool = spec.name().substring(spec.name().lastIndexOf('.') + 1);
        if (spec.name().equals(address)
            || spec.name().equals(address.replace(POOL, pool))
            || spec.name().equals(address.replace(WRITER, spec.writer()))) {
          assertThat(spec.writer())
              .as("writer of %s", spec.name())
              .isEqualTo(writer.replace(POOL, pool).replace(WRITER, spec.writer()));
        }
      }
    }
  }

  @Test
  void operationsOnlyNameMessagesOfTheirChannel() {
    for (Map.Entry<String, JsonNode> entry : fields(doc.path("operations"))) {
      String channelRef = entry.getValue().path("channel").path("$ref").asText();
      for (JsonNode message : entry.getValue().path("messages")) {
        assertThat(message.path("$ref").asText())
            .as(entry.getKey())
            .startsWith(channelRef + "/messages/");
      }
    }
  }

  private static void assertCreated(
      Map<String, Topics.TopicSpec> created, String topic, int partitions, boolean appendTime) {
    assertThat(created).as("channel %s is a created topic", topic).containsKey(topic);
    assertThat(partitions).as("partitions of %s", topic).isEqualTo(created.get(topic).partitions());
    assertThat(appendTime)
        .as("log append time of %s", topic)
        .isEqualTo(created.get(topic).logAppendTime());
  }

  private static void assertRefsResolve(JsonNode node) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : fields(node)) {
        if (field.getKey().equals("$ref") && field.getValue().asText().startsWith("#/")) {
          assertThat(resolve(field.getValue().asText()).isMissingNode())
              .as(field.getValue().asText())
              .isFalse();
        } else {
          assertRefsResolve(field.getValue());
        }
      }
    } else if (node.isArray()) {
      node.forEach(AsyncApiDocumentTest::assertRefsResolve);
    }
  }

  /** Resolves a local reference such as {@code #/components/messages/run.requested}. */
  private static JsonNode resolve(String ref) {
    assertThat(ref).startsWith("#/");
    JsonNode node = doc;
    for (String part : ref.substring(2).split("/")) {
      node = node.path(part.replace("~1", "/").replace("~0", "~"));
    }
    return node;
  }

  private static Path moduleDir() {
    String basedir = System.getProperty("basedir");
    return (basedir != null ? Path.of(basedir) : Path.of("")).toAbsolutePath().normalize();
  }

  private static Iterable<JsonNode> iterable(JsonNode node) {
    return node::elements;
  }

  private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node) {
    return () -> {
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      return it;
    };
  }
}
