package dev.baton.api;

import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Authentication (401/403), body size (413), backpressure (429) and per-type max-running. */
@QuarkusTest
@TestProfile(LimitsApiTest.Limits.class)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class LimitsApiTest {

    static final String PRODUCER = "producer-secret";
    static final String AGENT = "agent-secret";
    static final String ADMIN = "admin-secret";
    static final int MAX_QUEUED = 4;

    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "baton.auth.producer-token", PRODUCER,
                    "baton.auth.agent-token", AGENT,
                    "baton.auth.admin-token", ADMIN,
                    "quarkus.http.limits.max-body-size", "16K",
                    "baton.max-queued", Integer.toString(MAX_QUEUED),
                    "baton.types.capped.max-running", "1",
                    "baton.max-dependencies", "2",
                    "baton.max-batch", "3");
        }
    }

    private static RequestSpecification as(String token) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token);
    }

    @Test
    void callsWithoutAKnownTokenAre401() {
        given().contentType(ContentType.JSON).body(Map.of("type", "x")).post("/v1/tasks")
                .then().statusCode(401).body("error", equalTo("unauthorized"), "message", containsString("Bearer"));
        as("guess").body(Map.of("type", "x")).post("/v1/tasks").then().statusCode(401).body("error", equalTo("unauthorized"));
        given().get("/q/health/live").then().statusCode(200); // operations endpoints stay open
        given().get("/q/health").then().body("checks.find { it.name == 'auth' }.data.auth", equalTo("tokens"));
    }

    @Test
    void eventStreamsTakeTheSameTokens() {
        given().get("/v1/events").then().statusCode(401).contentType(ContentType.JSON)
                .body("error", equalTo("unauthorized"), "message", containsString("Bearer"));
        given().header("Authorization", "Bearer guess").get("/v1/tasks/{id}/events", "any")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer " + AGENT).get("/v1/tasks/{id}/events", "no-such-task")
                .then().statusCode(404).body("error", equalTo("task_not_found"));
    }

    @Test
    void aTokenOfTheWrongRoleIs403() {
        as(AGENT).body(Map.of("type", "x")).post("/v1/tasks")
                .then().statusCode(403).body("error", equalTo("forbidden"), "message", containsString("producer"));
        as(PRODUCER).body(Map.of("capabilities", List.of("x"))).put("/v1/agents/{id}", unique("a"))
                .then().statusCode(403).body("message", containsString("agent"));
        as(AGENT).get("/v1/stats").then().statusCode(200);
        as(ADMIN).get("/v1/agents").then().statusCode(200);
    }

    @Test
    void aBodyPastTheLimitIs413() {
        String big = "x".repeat(32 * 1024);
        as(PRODUCER).body(Map.of("type", "x", "payload", Map.of("blob", big))).post("/v1/tasks")
                .then().statusCode(413);
    }

    @Test
    void pastMaxQueuedSubmitIs429WithRetryAfterAndNothingIsQueued() {
        String type = unique("t");
        List<String> ids = new ArrayList<>();
        int queued = as(ADMIN).get("/v1/stats").then().extract().path("pending");
        for (int i = queued; i < MAX_QUEUED; i++) {
            ids.add(as(PRODUCER).body(Map.of("type", type)).post("/v1/tasks").then().statusCode(201).extract().path("id"));
        }
        as(PRODUCER).body(Map.of("type", type)).post("/v1/tasks").then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("error", equalTo("too_many_queued"), "message", containsString("limit " + MAX_QUEUED));
        as(PRODUCER).get("/v1/tasks?type={t}", type).then().body("tasks", hasSize(ids.size()));
        for (String id : ids) {
            as(PRODUCER).post("/v1/tasks/{id}/cancel", id).then().statusCode(200);
        }
        as(PRODUCER).body(Map.of("type", type)).post("/v1/tasks").then().statusCode(201);
    }

    @Test
    void maxRunningCapsATypeAcrossTheFleet() {
        String one = unique("a");
        String two = unique("a");
        for (String agent : List.of(one, two)) {
            as(AGENT).body(Map.of("capabilities", List.of("capped"))).put("/v1/agents/{id}", agent).then().statusCode(200);
        }
        String first = as(PRODUCER).body(Map.of("type", "capped")).post("/v1/tasks").then().statusCode(201).extract().path("id");
        String second = as(PRODUCER).body(Map.of("type", "capped")).post("/v1/tasks").then().statusCode(201).extract().path("id");

        String lease = as(AGENT).post("/v1/agents/{id}/claim", one).then().statusCode(200)
                .body("tasks[0].id", equalTo(first)).extract().path("tasks[0].lease_id");
        as(AGENT).post("/v1/agents/{id}/claim", two).then().statusCode(204);

        as(AGENT).body(Map.of("lease_id", lease)).post("/v1/tasks/{id}/complete", first).then().statusCode(200);
        String lease2 = as(AGENT).post("/v1/agents/{id}/claim", two).then().statusCode(200)
                .body("tasks[0].id", equalTo(second)).extract().path("tasks[0].lease_id");
        as(AGENT).body(Map.of("lease_id", lease2)).post("/v1/tasks/{id}/complete", second).then().statusCode(200);
    }

    @Test
    void graphLimitsAreEnforced() {
        String type = unique("t");
        List<Map<String, Object>> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(Map.of("ref", "m" + i, "type", type));
        }
        as(PRODUCER).body(Map.of("tasks", four)).post("/v1/tasks/batch").then().statusCode(413)
                .body("error", equalTo("too_large"), "message", containsString("at most 3"));
        as(PRODUCER).body(Map.of("tasks", List.of(Map.of("ref", "a", "type", type), Map.of("ref", "b", "type", type),
                        Map.of("ref", "c", "type", type, "depends_on", List.of("a", "b", "x")))))
                .post("/v1/tasks/batch").then().statusCode(400)
                .body("message", containsString("tasks[2](c).depends_on: has 3 entries, more than the limit of 2"));
        as(PRODUCER).get("/v1/tasks?type={t}", type).then().body("tasks", hasSize(0));
    }
}
