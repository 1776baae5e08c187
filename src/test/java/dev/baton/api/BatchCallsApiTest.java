package dev.baton.api;

import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.status;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The batch calls over HTTP: an agent completes many tasks in one call, each answered as the
 * single complete would answer it; many tasks without refs submitted in one call.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class BatchCallsApiTest {

    @Test
    void completeManyAnswersEachItemAsTheSingleCompleteWould() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 4, type);
        for (int i = 0; i < 3; i++) {
            submit(type, "MEDIUM");
        }
        Response claimed = given().post("/v1/agents/{id}/claim?max=3", agent);
        List<String> ids = claimed.path("tasks.id");
        List<String> leases = claimed.path("tasks.lease_id");
        String unknown = unique("none");

        Response answer = json().body(Map.of("tasks", List.of(
                        item(ids.get(0), leases.get(0), Map.of("n", 0)),
                        item(ids.get(1), "stale", Map.of("n", 1)),
                        item(ids.get(2), leases.get(2), List.of("x", 2)),
                        item(unknown, "l", null),
                        item(ids.get(0), leases.get(0), Map.of("n", 0)))))
                .post("/v1/agents/{id}/complete", agent);

        answer.then().statusCode(200)
                .body("tasks.task_id", contains(ids.get(0), ids.get(1), ids.get(2), unknown, ids.get(0)))
                .body("tasks.code", contains(200, 409, 200, 404, 200))
                .body("tasks.status", contains("COMPLETED", null, "COMPLETED", null, "COMPLETED"))
                .body("tasks.duplicate", contains(false, null, false, null, true))
                .body("tasks.error", contains(null, "lease_expired", null, "task_not_found", null))
                .body("tasks[1].message", containsString("lease"));
        assertEquals("COMPLETED", status(ids.get(0)));
        assertEquals("ASSIGNED", status(ids.get(1)), "a refused item changes nothing");
        given().get("/v1/tasks/{id}", ids.get(2)).then().body("result", contains("x", 2));
        // the refused item's own call answers the same
        Api.complete(ids.get(1), "stale").then().statusCode(409).body("error", equalTo("lease_expired"));
    }

    @Test
    void aLeaseOfAnotherAgentIsRefusedPerItem() {
        String type = unique("t");
        String agent = unique("a");
        String other = unique("a");
        registerAgent(agent, 1, type);
        registerAgent(other, 1, type);
        submit(type, "HIGH");
        Api.Lease lease = Api.claimOne(agent);
        json().body(Map.of("tasks", List.of(item(lease.taskId(), lease.leaseId(), null))))
                .post("/v1/agents/{id}/complete", other)
                .then().statusCode(200).body("tasks[0].code", equalTo(409)).body("tasks[0].error", equalTo("lease_not_yours"));
        json().body(Map.of("tasks", List.of(item(lease.taskId(), lease.leaseId(), null))))
                .post("/v1/agents/{id}/complete", agent)
                .then().statusCode(200).body("tasks[0].code", equalTo(200)).body("tasks[0].result", nullValue());
    }

    @Test
    void aMalformedItemRefusesTheWholeCallAndChangesNothing() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        submit(type, "LOW");
        Api.Lease lease = Api.claimOne(agent);
        Map<String, Object> good = item(lease.taskId(), lease.leaseId(), null);
        json().body(Map.of("tasks", List.of(good, Map.of("task_id", lease.taskId()))))
                .post("/v1/agents/{id}/complete", agent)
                .then().statusCode(400).body("message", containsString("tasks[1].lease_id"));
        json().body(Map.of("tasks", List.of(good, Map.of("task_id", "a/b", "lease_id", "l"))))
                .post("/v1/agents/{id}/complete", agent)
                .then().statusCode(400).body("message", containsString("tasks[1].task_id"));
        json().body(Map.of("tasks", List.of(good, Map.of("task_id", "x", "lease_id", "l", "bogus", 1))))
                .post("/v1/agents/{id}/complete", agent).then().statusCode(400).body("message", containsString("bogus"));
        json().body(Map.of("tasks", List.of())).post("/v1/agents/{id}/complete", agent)
                .then().statusCode(400).body("message", containsString("tasks"));
        json().body(Map.of("tasks", Collections.nCopies(10_001, good))).post("/v1/agents/{id}/complete", agent)
                .then().statusCode(413).body("error", equalTo("too_large"));
        assertEquals("ASSIGNED", status(lease.taskId()));
    }

    @Test
    void manyTasksWithoutRefsAreSubmittedInOneCall() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 100, type);
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            tasks.add(Map.of("type", type, "payload", Map.of("i", i)));
        }
        json().body(Map.of("tasks", tasks)).post("/v1/tasks/batch").then().statusCode(201)
                .body("tasks", hasSize(100)).body("tasks.status", everyItem(equalTo("PENDING")))
                .body("tasks.created", everyItem(equalTo(true)));
        Response claimed = given().post("/v1/agents/{id}/claim?max=100", agent);
        claimed.then().statusCode(200).body("tasks", hasSize(100)).body("tasks[99].payload.i", equalTo(99));
        List<String> ids = claimed.path("tasks.id");
        List<String> leases = claimed.path("tasks.lease_id");
        List<Map<String, Object>> done = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            done.add(item(ids.get(i), leases.get(i), i));
        }
        json().body(Map.of("tasks", done)).post("/v1/agents/{id}/complete", agent).then().statusCode(200)
                .body("tasks.code", everyItem(equalTo(200)));
        given().get("/v1/tasks?type={t}&status=COMPLETED&limit=1000", type).then().body("tasks", hasSize(100));
    }

    private static Map<String, Object> item(String taskId, String leaseId, Object result) {
        Map<String, Object> item = new java.util.LinkedHashMap<>();
        item.put("task_id", taskId);
        item.put("lease_id", leaseId);
        if (result != null) {
            item.put("result", result);
        }
        return item;
    }
}
