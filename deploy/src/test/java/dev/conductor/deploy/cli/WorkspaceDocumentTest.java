package dev.conductor.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.deploy.local.Seed;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkspaceDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static WorkspaceDocument demo() {
    // Surefire runs in the module directory.
    return WorkspaceDocument.read(Path.of("local/workspace.yaml").toAbsolutePath());
  }

  private static JsonNode body(WorkspaceDocument doc, String section) {
    return doc.body(WorkspaceDocument.section(section).orElseThrow());
  }

  @Test
  void theDemoDocumentNamesThePoolsSlotsAndResourceClasses() {
    WorkspaceDocument doc = demo();
    assertThat(doc.workspace()).isEqualTo("demo");
    assertThat(doc.pools()).containsExactly("dev", "test", "prod");
    assertThat(doc.slots()).containsEntry("dev", 4).containsEntry("test", 2);
    assertThat(doc.resourceClasses()).isEqualTo("smallrc:1,mediumrc:2,largerc:4,xlargerc:8");
    assertThat(doc.unknownKeys()).isEmpty();
  }

  @Test
  void thePoolsSectionSentToTheSchedulerLeavesTheLocalExecutorSlotsOut() {
    WorkspaceDocument doc = demo();
    JsonNode pools = body(doc, "pools");
    assertThat(pools.fieldNames()).toIterable().containsExactly("dev", "test", "prod");
    pools.forEach(pool -> assertThat(pool.has("slots")).isFalse());
    assertThat(pools.path("dev").path("description").asText()).startsWith("development");
    // the document itself is left as it was
    assertThat(doc.doc().path("pools").path("dev").path("slots").asInt()).isEqualTo(4);
  }

  @Test
  void eachSectionGoesToItsOwnerAtTheDesignPath() {
    assertThat(WorkspaceDocument.section("assignments").orElseThrow())
        .isEqualTo(new WorkspaceDocument.Section("assignments", LocalStack.BROKER, false));
    assertThat(WorkspaceDocument.section("assignments").orElseThrow().path("demo"))
        .isEqualTo("/api/v1/workspaces/demo/config/assignments");
    assertThat(WorkspaceDocument.section("pools").orElseThrow().path("demo"))
        .isEqualTo("/api/v1/config/pools");
    assertThat(WorkspaceDocument.section("pipelines").orElseThrow().service())
        .isEqualTo(LocalStack.TRIGGER);
    assertThat(WorkspaceDocument.section("quotas").orElseThrow().service())
        .isEqualTo(LocalStack.SCHEDULER);
    // identities before the assignments that name them, global sections first
    List<String> order =
        WorkspaceDocument.SECTIONS.stream().map(WorkspaceDocument.Section::name).toList();
    assertThat(order.indexOf("identities")).isLessThan(order.indexOf("assignments"));
    assertThat(order.indexOf("roles")).isZero();
  }

  @Test
  void theSeedHoldsThePrincipalsAndOnlyTheirGlobalRoles() {
    Seed.Spec seed = demo().seed();
    assertThat(seed.principals()).containsExactly("admin", "alice", "bob", "carol", "auditor");
    assertThat(seed.assignments())
        .containsExactly(
            new Seed.Assignment("admin", "admin", "/"),
            new Seed.Assignment("auditor", "auditor", "/"));
    assertThat(seed.identities()).isEmpty();
    assertThat(Seed.roles().keySet())
        .contains("admin", "developer", "operator", "viewer", "auditor", "identity-user");
  }

  @Test
  void theWorkspaceSectionsGiveAliceButNotBobTheRunAsIdentity() {
    WorkspaceDocument doc = demo();
    JsonNode assignments = body(doc, "assignments");
    assertThat(assignments.toString())
        .contains(
            "{\"principal\":\"alice\",\"role\":\"identity-user\","
                + "\"scope\":\"/workspaces/demo/identities/etl-bot\"}")
        .contains("{\"principal\":\"bob\",\"role\":\"operator\"}")
        .doesNotContain("\"bob\",\"role\":\"identity-user\"");
    JsonNode etlBot = body(doc, "identities").path("etl-bot");
    assertThat(etlBot.path("environments").toString()).isEqualTo("[\"dev\",\"test\",\"prod\"]");
  }

  @Test
  void thePipelinesAreTheShapeTriggerServiceAccepts() {
    Map<String, JsonNode> pipelines = demo().pipelines();
    assertThat(pipelines).containsOnlyKeys("etl", "hello");
    JsonNode etl = pipelines.get("etl");
    assertThat(etl.path("runAs").asText()).isEqualTo("etl-bot");
    assertThat(etl.path("steps")).hasSize(3);
    assertThat(etl.path("steps").get(2).path("dependsOn").toString())
        .isEqualTo("[\"extract-a\",\"extract-b\"]");
    assertThat(etl.path("steps").get(2).path("dataAccess").get(0).path("resource").asText())
        .isEqualTo("warehouse");
  }

  @Test
  void localDifferencesNameChangedPrincipalsAndSlotsButNotOtherSections() throws Exception {
    WorkspaceDocument doc = demo();
    ObjectNode running = doc.doc().deepCopy();
    assertThat(Applier.localDifferences(doc, running)).isEmpty();

    ObjectNode changed = doc.doc().deepCopy();
    ((ObjectNode) changed.path("pools").path("dev")).put("slots", 8);
    ((ObjectNode) changed.path("principals")).set("dave", JSON.createObjectNode());
    changed.set("assignments", JSON.readTree("[]"));
    WorkspaceDocument other = new WorkspaceDocument(doc.file(), changed);
    assertThat(Applier.localDifferences(other, running))
        .containsExactly("principals", "slots of the pools' local executors");

    ObjectNode unknown = doc.doc().deepCopy();
    unknown.put("poools", 1);
    assertThat(new WorkspaceDocument(doc.file(), unknown).unknownKeys()).containsExactly("poools");
  }
}
