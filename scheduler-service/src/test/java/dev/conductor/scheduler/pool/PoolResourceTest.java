package dev.conductor.scheduler.pool;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.conductor.scheduler.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PoolResourceTest {
  private static final String POOL = "rest";
  private static final String EXECUTOR = "/api/v1/pools/{pool}/executors/{id}";

  @Test
  void executorsDeclareCapacityAndRenewIt() {
    String executor = Api.principalWith("pool.register", "/pools/" + POOL);
    Api.as(executor)
        .body(Map.of("slots", 3))
        .put(EXECUTOR, POOL, "exec-a")
        .then()
        .statusCode(200)
        .body("pool", equalTo(POOL))
        .body("capacity", equalTo(3));
    Api.as(executor)
        .body(Map.of("slots", 2))
        .put(EXECUTOR, POOL, "exec-b")
        .then()
        .statusCode(200)
        .body("capacity", equalTo(5));
    // a renewal replaces the declaration, it does not add to it
    Api.as(executor)
        .body(Map.of("slots", 4))
        .put(EXECUTOR, POOL, "exec-a")
        .then()
        .statusCode(200)
        .body("capacity", equalTo(6));

    String reader = Api.principalWith("pool.read", "/pools/" + POOL);
    Api.as(reader)
        .get("/api/v1/pools/{pool}", POOL)
        .then()
        .statusCode(200)
        .body("pool", equalTo(POOL))
        .body("capacity", equalTo(6))
        .body("used", equalTo(0))
        .body("waiting", equalTo(0));
  }

  @Test
  void registrationNeedsATokenAndThePermission() {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("slots", 1))
        .put(EXECUTOR, POOL, "exec-x")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    String reader = Api.principalWith("pool.read", "/pools/" + POOL);
    Api.as(reader)
        .body(Map.of("slots", 1))
        .put(EXECUTOR, POOL, "exec-x")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
  }

  @Test
  void readingNeedsATokenAndThePermission() {
    given().get("/api/v1/pools/{pool}", POOL).then().statusCode(401);
    String executor = Api.principalWith("pool.register", "/pools/" + POOL);
    Api.as(executor).get("/api/v1/pools/{pool}", POOL).then().statusCode(403);
  }

  @Test
  void slotsAreValidated() {
    String executor = Api.principalWith("pool.register", "/pools/" + POOL);
    Api.as(executor)
        .body(Map.of())
        .put(EXECUTOR, POOL, "exec-x")
        .then()
        .statusCode(400)
        .body("field", equalTo("/slots"));
    Api.as(executor)
        .body(Map.of("slots", -1))
        .put(EXECUTOR, POOL, "exec-x")
        .then()
        .statusCode(400)
        .body("field", equalTo("/slots"));
  }

  @Test
  void anUnknownPoolIs404() {
    String admin = Api.principalWith("*", "/");
    Api.as(admin)
        .body(Map.of("slots", 1))
        .put(EXECUTOR, "staging", "exec-x")
        .then()
        .statusCode(404);
    Api.as(admin).get("/api/v1/pools/{pool}", "staging").then().statusCode(404);
  }
}
