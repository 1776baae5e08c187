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
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
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
