package dev.conductor.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.conductor.deploy.local.LocalStack;
import dev.conductor.events.EventType;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.platform.problem.Problem;
import dev.conductor.platform.problem.ProblemType;
import dev.conductor.testkit.KafkaProbe;
import io.restassured.RestAssured;
import io.restassured.filter.FilterContext;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** What an E2E test does to the running stack: REST calls as a principal, Kafka in and out. */
final class Conductor implements AutoCloseable {
  // The test's own Kafka clients print their whole configuration at INFO; the services' logs are
  // in their own files. Held in a field so the level is not lost with a collected logger.
  private static final java.util.logging.Logger KAFKA_LOGS =
      java.util.logging.Logger.getLogger("org.apache.kafka");

  static {
    KAFKA_LOGS.setLevel(java.util.logging.Level.WARNING);
    RestAssured.filters(Conductor::catalogued);
  }

  /**
   * Holds every REST call of the suite to the catalogue: an error of Conductor's API ({@code
   * /api/...}) is {@code application/problem+json} with a type from {@link ProblemType}, never
   * {@code about:blank} or a body of the framework's own, whichever test provoked it.
   */
  private static Response catalogued(
      FilterableRequestSpecification request,
      FilterableResponseSpecification response,
      FilterContext context) {
    Response answer = context.next(request, response);
    if (answer.statusCode() >= 400 && URI.create(request.getURI()).getPath().startsWith("/api/")) {
      String what =
          request.getMethod() + " " + request.getURI() + " answered " + answer.statusCode();
      assertThat(answer.contentType()).as(what).startsWith(Problem.MEDIA_TYPE);
      String type = answer.jsonPath().getString("type");
      assertThat(ProblemType.ofUri(type)).as(what + " with type " + type).isPresent();
    }
    return answer;
  }

  final LocalStack stack;
  private final KafkaProbe probe;

  private Conductor(LocalStack stack) {
    this.stack = stack;
    this.probe =
        KafkaProbe.watching(
            stack.kafkaClient(Principals.ADMIN),
            Topics.all(List.of("dev")).stream().map(Topics.TopicSpec::name).toList());
  }

  static Conductor start() {
    return start(Map.of());
  }

  /** A stack with pool {@code dev}; {@code slots} per pool for its first executor. */
  static Conductor start(Map<String, Integer> slots) {
    Path repo = Path.of(System.getProperty("conductor.repo", "..")).toAbsolutePath().normalize();
    Path state =
        Path.of(System.getProperty("conductor.state", "target/e2e-state"))
            .resolve(UUID.randomUUID().toString().substring(0, 8));
    return new Conductor(
        LocalStack.start(
            new LocalStack.Options(
                repo, state, List.of("dev"), "200m", slots, null, null, 0, null)));
  }

  /**
   * Asserts that {@code response} is a problem of the catalogue's {@code kind}: its status, media
   * type, stable type URI and title, and the request it answers as {@code instance}. Every REST
   * error the suite provokes goes through here.
   */
  static ValidatableResponse problem(Response response, ProblemType kind) {
    return response
        .then()
        .statusCode(kind.status())
        .contentType("application/problem+json")
        .body("type", equalTo(kind.uri()))
        .body("title", equalTo(kind.title()))
        .body("status", equalTo(kind.status()))
        .body("instance", startsWith("/"));
  }

  RequestSpecification as(String principal) {
    return given().header("Authorization", "Bearer " + stack.token(principal));
  }

  RequestSpecification anonymous() {
    return given();
  }

  String url(String service) {
    return stack.url(service);
  }

  Response putPipeline(String principal, String workspace, String pipeline, String json) {
    return as(principal)
        .contentType(ContentType.JSON)
        .body(json)
        .put(
            url(LocalStack.TRIGGER) + "/api/v1/workspaces/{ws}/pipelines/{p}", workspace, pipeline);
  }

  Response startRun(String principal, String workspace, String pipeline, String body) {
    return as(principal)
        .contentType(ContentType.JSON)
        .body(body)
        .post(
            url(LocalStack.TRIGGER) + "/api/v1/workspaces/{ws}/pipelines/{p}/runs",
            workspace,
            pipeline);
  }

  Response run(String runId) {
    return as("admin").get(url(LocalStack.SCHEDULER) + "/api/v1/runs/{id}", runId);
  }

  Response timeline(String runId) {
    return as("auditor").get(url(LocalStack.AUDIT) + "/api/v1/runs/{id}/timeline", runId);
  }

  Response verifyLedger() {
    return as("auditor").post(url(LocalStack.AUDIT) + "/api/v1/ledger/verify");
  }

  Response pool(String pool) {
    return as("admin").get(url(LocalStack.SCHEDULER) + "/api/v1/pools/{pool}", pool);
  }

  void send(ProducerRecord<String, byte[]> record) {
    probe.send(record);
  }

  /**
   * A trigger for {@code demo/<pipeline>} in {@code dev} on {@code conductor.triggers}, as any
   * producer writes one: CloudEvents binary mode is just headers, the token among them. The key is
   * also its idempotency key.
   */
  static ProducerRecord<String, byte[]> trigger(
      String key, String token, String pipeline, String parameters) {
    String data =
        "{\"workspace\":\"demo\",\"pipeline\":\""
            + pipeline
            + "\",\"environment\":\"dev\",\"parameters\":"
            + parameters
            + ",\"idempotencyKey\":\""
            + key
            + "\"}";
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(Topics.TRIGGERS, key, data.getBytes(StandardCharsets.UTF_8));
    Map.of(
            "ce_specversion", "1.0",
            "ce_id", UUID.randomUUID().toString(),
            "ce_type", "dev.conductor.trigger.requested.v1",
            "ce_source", "/upstream/e2e",
            "content-type", "application/json",
            "authorization", "Bearer " + token)
        .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
    return record;
  }

  /** The events of {@code type} on {@code topic} with {@code key}, seen so far. */
  List<KafkaProbe.Seen> events(String topic, String key, EventType type) {
    return probe.events(topic, key, type);
  }

  /** What reached {@code conductor.dlq} with {@code key}, seen so far. */
  List<KafkaProbe.Seen> deadLetters(String key) {
    return probe.deadLetters(key);
  }

  /** Every record on {@code topic} up to its current end. */
  List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    return probe.records(topic, record -> true);
  }

  /** Everything every service has dead-lettered so far ({@code conductor.dlq.*}). */
  List<ConsumerRecord<String, byte[]>> deadLetters() {
    List<ConsumerRecord<String, byte[]>> all = new java.util.ArrayList<>();
    for (Topics.TopicSpec spec : Topics.all(stack.pools())) {
      if (Topics.isDlq(spec.name())) {
        all.addAll(readAll(spec.name()));
      }
    }
    return all;
  }

  /** Stops the stack, after printing its report (which process ran where, its logs). */
  @Override
  public void close() {
    System.out.println("E2E stack after the suite:\n" + stack.report());
    probe.close();
    stack.close();
  }
}
