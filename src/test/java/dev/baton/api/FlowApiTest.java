package dev.baton.api;

import static dev.baton.api.Api.claimNow;
import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.status;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flow control through real HTTP: {@code /v1/types} (pause and live settings) and {@code POST /v1/tasks/bulk}. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class FlowApiTest {

    @Test
    void aPausedTypeIsNotHandedOutButAcceptsSubmitsAndShowsEverywhere() {
        String type = unique("paused");
        String agent = unique("w");
        registerAgent(agent, 2, type);
        json().body(Map.of("paused", true, "max_running", 3, "backoff", List.of("1s", "2m")))
                .put("/v1/types/{type}", type).then().statusCode(200)
                .body("type", equalTo(type), "paused", equalTo(true), "max_running", equalTo(3),
                        "backoff", equalTo(List.of("1s", "2m")), "runtime.paused", equalTo(true));
        String task = submit(type, "HIGH");
        claimNow(agent).then().statusCode(204);
        given().get("/v1/types").then().statusCode(200)
                .body("find { it.type == '" + type + "' }.pending", equalTo(1),
                        "find { it.type == '" + type + "' }.paused", equalTo(true));
        given().get("/v1/stats").then().statusCode(200).body("paused_types", hasItem(type));
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString()
                .contains("baton_type_paused{type=\"" + type + "\"} 1.0"));

        json().body(Map.of()).put("/v1/types/{type}", type).then().statusCode(200)
                .body("paused", equalTo(false), "runtime", nullValue(), "max_running", nullValue());
        claimNow(agent).then().statusCode(200).body("tasks[0].id", equalTo(task));
        given().get("/v1/types/{type}", type).then().statusCode(200).body("running", equalTo(1));
        given().get("/v1/stats").then().body("paused_types", not(hasItem(type)));
    }

    @Test
    void badSettingsAre400NamingTheField() {
        String type = unique("bad");
        json().body(Map.of("max_running", 0)).put("/v1/types/{type}", type)
                .then().statusCode(400).body("message", containsString("max_running"));
        json().body(Map.of("max_retries", -1)).put("/v1/types/{type}", type)
                .then().statusCode(400).body("message", containsString("max_retries"));
        json().body(Map.of("backoff", List.of("soon"))).put("/v1/types/{type}", type)
                .then().statusCode(400).body("message", containsString("backoff"));
        json().body(Map.of("paused", "maybe")).put("/v1/types/{type}", type).then().statusCode(400);
        json().body(Map.of("colour", "red")).put("/v1/types/{type}", type).then().statusCode(400);
        given().get("/v1/types").then().body("type", not(hasItem(type)));
    }

    @Test
    void anAdaptiveCapShowsInTypesAndItsMovesAreEventsAndAGauge() throws Exception {
        String type = unique("adaptive");
        String agent = unique("w");
        registerAgent(agent, 4, type);
        json().body(Map.of("adaptive", Map.of("min", 1, "max", 4, "target_run_time", "30s")))
                .put("/v1/types/{type}", type).then().statusCode(200)
                .body("adaptive.min", equalTo(1), "adaptive.max", equalTo(4), "adaptive.limit", equalTo(4),
                        "adaptive.target_run_time", equalTo("30s"), "adaptive.reason", equalTo("started at the ceiling"),
                        "adaptive.changed_at", nullValue(), "runtime.adaptive.max", equalTo(4),
                        "runtime.adaptive.target_run_time", equalTo("30s"));
        try (SseClient stream = SseClient.open(EventsSseTest.uri("/v1/events?event=type.limit_changed&task_type=" + type), null)) {
            assertEquals(200, stream.status());
            for (int i = 0; i < 4; i++) {
                submit(Map.of("type", type, "max_retries", 0));
            }
            List<Api.Lease> leases = List.of(Api.claimOne(agent), Api.claimOne(agent), Api.claimOne(agent));
            for (Api.Lease lease : leases) {
                Api.fail(lease.taskId(), lease.leaseId(), false).then().statusCode(200);
            }
            given().get("/v1/types/{type}", type).then().statusCode(200)
                    .body("adaptive.limit", equalTo(3), "adaptive.reason", equalTo("3 of the last 3 runs failed"),
                            "adaptive.changed_at", notNullValue(), "running", equalTo(0));
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.events().isEmpty());
            SseClient.Event event = stream.events().get(0);
            assertEquals("type.limit_changed", event.name());
            Map<String, Object> data = EventsRedisTest.parse(List.of(event.data())).get(0);
            assertEquals(type, data.get("task_type"));
            assertEquals("limit 3: 3 of the last 3 runs failed", data.get("message"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString()
                .contains("baton_type_concurrency_limit{type=\"" + type + "\"} 3.0"));
        given().get("/v1/types").then().statusCode(200)
                .body("find { it.type == '" + type + "' }.adaptive.limit", equalTo(3));
    }

    @Test
    void badAdaptiveSettingsAre400NamingTheFieldAndChangeNothing() {
        String type = unique("badadaptive");
        Api.refusesBadAdaptiveSettings("/v1/types/{type}", type);
        given().get("/v1/types").then().body("type", not(hasItem(type)));
    }

    @Test
    void bulkCancelTouchesWhatTheFilterMatchesUpToTheLimit() {
        String type = unique("bulk");
        List<String> ids = List.of(submit(type, "LOW"), submit(type, "LOW"), submit(type, "LOW"), submit(type, "HIGH"));
        json().body(Map.of("action", "cancel", "filter", Map.of("type", type, "priority", "LOW"), "dry_run", true))
                .post("/v1/tasks/bulk").then().statusCode(200)
                .body("action", equalTo("cancel"), "dry_run", equalTo(true), "matched", equalTo(3), "touched", equalTo(0));
        assertEquals("PENDING", status(ids.get(0)));
        json().body(Map.of("action", "cancel", "filter", Map.of("type", type, "priority", "LOW"), "limit", 2))
                .post("/v1/tasks/bulk").then().statusCode(200)
                .body("matched", equalTo(3), "touched", equalTo(2), "remaining", equalTo(1));
        json().body(Map.of("action", "cancel", "filter", Map.of("type", type, "priority", "LOW", "status", "pending")))
                .post("/v1/tasks/bulk").then().statusCode(200).body("touched", equalTo(1), "remaining", equalTo(0));
        assertEquals(List.of("CANCELLED", "CANCELLED", "CANCELLED", "PENDING"), ids.stream().map(Api::status).toList());
    }

    @Test
    void bulkRetryRequeuesDeadLetters() {
        String type = unique("dead");
        String agent = unique("w");
        registerAgent(agent, 1, type);
        String task = submit(Map.of("type", type, "max_retries", 0));
        Api.Lease lease = Api.claimOne(agent);
        Api.fail(lease.taskId(), lease.leaseId(), false).then().statusCode(200);
        json().body(Map.of("action", "retry", "filter", Map.of("type", type, "older_than", "0s")))
                .post("/v1/tasks/bulk").then().statusCode(200).body("touched", equalTo(1));
        assertEquals("PENDING", status(task));
    }

    @Test
    void badBulkRequestsAre400NamingTheFieldAndChangeNothing() {
        String type = unique("refused");
        String task = submit(type, "LOW");
        json().body(Map.of("action", "cancel")).post("/v1/tasks/bulk")
                .then().statusCode(400).body("message", containsString("filter"), "message", containsString("all"));
        json().body(Map.of("action", "cancel", "filter", Map.of())).post("/v1/tasks/bulk")
                .then().statusCode(400).body("message", containsString("filter"));
        json().body(Map.of("action", "delete", "filter", Map.of("type", type))).post("/v1/tasks/bulk")
                .then().statusCode(400).body("message", containsString("action"));
        json().body(Map.of("action", "cancel", "filter", Map.of("type", type, "status", "DONE"))).post("/v1/tasks/bulk")
                .then().statusCode(400).body("message", containsString("filter.status"));
        json().body(Map.of("action", "cancel", "filter", Map.of("type", type, "older_than", "-1h"))).post("/v1/tasks/bulk")
                .then().statusCode(400).body("message", containsString("filter.older_than"));
        json().body(Map.of("action", "cancel", "filter", Map.of("type", type), "limit", 0)).post("/v1/tasks/bulk")
                .then().statusCode(400).body("message", containsString("limit"));
        json().body(Map.of("action", "cancel", "all", true, "dry_run", true)).post("/v1/tasks/bulk")
                .then().statusCode(200).body("touched", equalTo(0));
        assertEquals("PENDING", status(task));
    }
}
