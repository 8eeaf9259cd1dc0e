package dev.conductor.audit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RedactionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void credentialsOfAnAuthorizedJobAreRedacted() throws Exception {
    ObjectNode event =
        (ObjectNode)
            JSON.readTree(
                "{\"type\":\"dev.conductor.job.authorized.v1\",\"data\":{\"credentials\":\"jwe\","
                    + "\"step\":\"a\"}}");
    Redaction.apply(event);
    assertThat(event.path("data").path("credentials").asText()).isEqualTo("[redacted]");
    assertThat(event.path("data").path("step").asText()).isEqualTo("a");
  }

  @Test
  void secretLookingFieldsAreRedactedAnywhereInData() throws Exception {
    ObjectNode event =
        (ObjectNode)
            JSON.readTree(
                "{\"type\":\"dev.conductor.run.requested.v1\",\"id\":\"token\",\"data\":{"
                    + "\"parameters\":{\"dbPassword\":\"x\",\"list\":[{\"accessToken\":\"y\"}],"
                    + "\"clientSecret\":null,\"Authorization\":\"Bearer z\",\"date\":\"d\"},"
                    + "\"credentials\":\"kept: not a job.authorized\"}}");
    Redaction.apply(event);
    String text = event.toString();
    assertThat(text).doesNotContain("\"x\"").doesNotContain("\"y\"").doesNotContain("Bearer");
    assertThat(event.at("/data/parameters/dbPassword").asText()).isEqualTo("[redacted]");
    assertThat(event.at("/data/parameters/list/0/accessToken").asText()).isEqualTo("[redacted]");
    assertThat(event.at("/data/parameters/clientSecret").isNull()).isTrue();
    assertThat(event.at("/data/parameters/date").asText()).isEqualTo("d");
    assertThat(event.at("/data/credentials").asText()).startsWith("kept");
    assertThat(event.path("id").asText()).isEqualTo("token"); // attributes are not data
  }
}
