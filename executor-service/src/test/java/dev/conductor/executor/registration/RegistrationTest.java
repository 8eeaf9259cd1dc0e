package dev.conductor.executor.registration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.conductor.executor.ExecutorTestProfile;
import dev.conductor.executor.FakeScheduler;
import dev.conductor.executor.pool.ExecutorIdentity;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(ExecutorTestProfile.class)
class RegistrationTest {
  @Inject ExecutorIdentity identity;

  @ConfigProperty(name = "conductor.scheduler.url")
  String scheduler;

  @Test
  void declaresItsSlotsToTheSchedulerWithItsServiceToken() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              List<Map<String, Object>> registrations =
                  JsonPath.from(given().get(scheduler + "/test/registrations").asString())
                      .getList("$");
              assertThat(registrations)
                  .contains(
                      Map.of(
                          "pool",
                          "dev",
                          "executorId",
                          identity.id(),
                          "slots",
                          4,
                          "subject",
                          FakeScheduler.CLIENT));
            });
    assertThat(identity.id()).startsWith("dev-").matches("dev-[a-z0-9-]+-[0-9a-f]{6}");
  }

  @Test
  void isReadyOnceRegisteredAndNeedsNoDatabase() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", org.hamcrest.Matchers.equalTo("UP"))
                    .body("checks.name", hasItem("executor-registration")));
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.name", not(hasItem("Database connections health check")))
        .body("checks.name", not(hasItem("Reactive PostgreSQL connections health check")))
        .body(
            "checks.find { it.name == 'executor-registration' }.data.executorId",
            org.hamcrest.Matchers.equalTo(identity.id()));
    given().get("/q/health/live").then().statusCode(200);
  }
}
