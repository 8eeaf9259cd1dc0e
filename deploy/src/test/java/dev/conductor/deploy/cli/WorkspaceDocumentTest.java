package dev.conductor.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conductor.deploy.local.Seed;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkspaceDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static WorkspaceDocument demo() {
    // Surefire runs in the module directory.
    return WorkspaceDocument.read(Path.of("local/workspace.yaml").toAbsolutePath());
  }

  @Test
  void theDemoDocumentNamesThePoolsSlotsAndResourceClasses() {
    WorkspaceDocument doc = demo();
    assertThat(doc.workspace()).isEqualTo("demo");
    assertThat(doc.pools()).containsExactly("dev", "test", "prod");
    assertThat(doc.slots()).containsEntry("dev", 4).containsEntry("test", 2);
    assertThat(doc.resourceClasses()).isEqualTo("smallrc:1,mediumrc:2,largerc:4,xlargerc:8");
  }

  @Test
  void theSeedHasOnePrincipalPerBuiltInRoleAndTheRunAsIdentityForAliceOnly() {
    Seed.Spec seed = demo().seed();
    assertThat(seed.principals()).containsExactly("admin", "alice", "bob", "carol", "auditor");
    assertThat(seed.assignments())
        .extracting(Seed.Assignment::role)
        .contains("admin", "developer", "operator", "viewer", "auditor");
    assertThat(seed.assignments())
        .contains(
            new Seed.Assignment("alice", "identity-user", "/workspaces/demo/identities/etl-bot"))
        .noneMatch(a -> a.principal().equals("bob") && a.role().equals("identity-user"));
    assertThat(seed.assignments()).contains(new Seed.Assignment("admin", "admin", "/"));
    assertThat(Seed.roles().keySet())
        .contains("admin", "developer", "operator", "viewer", "auditor");
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
  void aDiffNamesTheChangedPathsAndIgnoresDefaultsTheServiceFilledIn() throws Exception {
    JsonNode desired =
        JSON.readTree(
            "{\"steps\":[{\"name\":\"a\",\"jobType\":\"sleep\",\"spec\":{\"millis\":2}}]}");
    JsonNode current =
        JSON.readTree(
            "{\"description\":null,\"tags\":{},\"steps\":[{\"name\":\"a\",\"jobType\":\"sleep\","
                + "\"spec\":{\"millis\":1},\"resourceClass\":\"smallrc\",\"dependsOn\":[],"
                + "\"timeoutSeconds\":0,\"maxRetries\":0}]}");
    assertThat(JsonDiff.paths(desired, current)).containsExactly("/steps/0/spec/millis: 1 -> 2");
    assertThat(JsonDiff.paths(current, current)).isEmpty();
    JsonNode more =
        JSON.readTree("{\"steps\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"runAs\":\"x\"}");
    assertThat(JsonDiff.paths(more, JSON.readTree("{\"steps\":[{\"name\":\"a\"}]}")))
        .containsExactly("/steps/1 (added)", "/runAs (added)");
  }
}
