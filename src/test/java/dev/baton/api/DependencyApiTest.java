package dev.baton.api;

import static dev.baton.api.Api.claimOne;
import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.status;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dependencies (docs/model.md) through HTTP: depends_on, batches with refs, release and the failure cascade. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class DependencyApiTest {

    private static Map<String, Object> member(String ref, String type, String... dependsOn) {
        Map<String, Object> m = new HashMap<>();
        m.put("ref", ref);
        m.put("type", type);
        m.put("depends_on", List.of(dependsOn));
        return m;
    }

    private static Map<String, String> batch(Object... members) {
        Response r = json().body(Map.of("tasks", List.of(members))).post("/v1/tasks/batch");
        r.then().statusCode(201);
        Map<String, String> ids = new HashMap<>();
        List<Map<String, Object>> tasks = r.path("tasks");
        tasks.forEach(t -> ids.put((String) t.get("ref"), (String) t.get("id")));
        return ids;
    }

    private static void run(String agent, String taskId) {
        Api.Lease lease = claimOne(agent);
        assertEquals(taskId, lease.taskId());
        complete(lease.taskId(), lease.leaseId()).then().statusCode(200);
    }

    @Test
    void aPipelineIsReleasedInOrder() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        Map<String, String> ids = batch(member("persist", type, "enrich"), member("enrich", type, "parse"),
                member("parse", type, "fetch"), member("fetch", type));
        given().get("/v1/tasks/{id}", ids.get("parse")).then()
                .body("status", equalTo("WAITING"), "waiting_on", equalTo(List.of(ids.get("fetch"))));
        for (String step : List.of("fetch", "parse", "enrich", "persist")) {
            run(agent, ids.get(step));
        }
        Api.claimNow(agent).then().statusCode(204);
    }

    @Test
    void aDiamondReleasesItsJoinOnceBothSidesAreDone() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        Map<String, String> ids = batch(member("top", type), member("left", type, "top"),
                member("right", type, "top"), member("join", type, "left", "right"));
        run(agent, ids.get("top"));
        run(agent, ids.get("left"));
        given().get("/v1/tasks/{id}", ids.get("join")).then()
                .body("status", equalTo("WAITING"), "waiting_on", equalTo(List.of(ids.get("right"))));
        run(agent, ids.get("right"));
        run(agent, ids.get("join"));
    }

    @Test
    void aSingleSubmitMayDependOnACompletedOrAWaitingTask() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String done = Api.submit(type, "MEDIUM");
        run(agent, done);
        json().body(Map.of("type", type, "depends_on", List.of(done))).post("/v1/tasks")
                .then().statusCode(201).body("status", equalTo("PENDING"));
        String open = Api.submit(type, "LOW");
        json().body(Map.of("type", type, "depends_on", List.of(open))).post("/v1/tasks")
                .then().statusCode(201).body("status", equalTo("WAITING"), "waiting_on", equalTo(List.of(open)),
                        "on_dependency_failure", equalTo("cancel"));
    }

    @Test
    void aFailureCancelsThreeLevelsButSparesRunOnFailure() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        Map<String, Object> root = member("root", type);
        root.put("max_retries", 0);
        Map<String, Object> cleanup = member("cleanup", type, "root");
        cleanup.put("on_dependency_failure", "run");
        Map<String, String> ids = batch(root, member("one", type, "root"), member("two", type, "one"),
                member("three", type, "two"), cleanup);
        Api.Lease lease = claimOne(agent);
        Api.fail(lease.taskId(), lease.leaseId(), true).then().statusCode(200).body("status", equalTo("FAILED"));

        given().get("/v1/tasks/{id}", ids.get("one")).then()
                .body("status", equalTo("CANCELLED"), "error", equalTo("dependency " + ids.get("root") + " FAILED"));
        given().get("/v1/tasks/{id}", ids.get("three")).then()
                .body("status", equalTo("CANCELLED"), "error", equalTo("dependency " + ids.get("two") + " CANCELLED"));
        assertEquals("PENDING", status(ids.get("cleanup")));
        run(agent, ids.get("cleanup"));
    }

    @Test
    void cancellingAWaitingTaskCascades() {
        String type = unique("t");
        Map<String, String> ids = batch(member("a", type), member("b", type, "a"), member("c", type, "b"));
        given().post("/v1/tasks/{id}/cancel", ids.get("b")).then().statusCode(200).body("status", equalTo("CANCELLED"));
        given().get("/v1/tasks/{id}", ids.get("c")).then()
                .body("status", equalTo("CANCELLED"), "error", equalTo("dependency " + ids.get("b") + " CANCELLED"));
        assertEquals("PENDING", status(ids.get("a")));
    }

    @Test
    void aCycleOfThreeIsA400NamingItsTasksAndNothingIsCreated() {
        String type = unique("t");
        json().body(Map.of("tasks", List.of(member("ok", type), member("x", type, "z"), member("y", type, "x"),
                        member("z", type, "y"))))
                .post("/v1/tasks/batch").then().statusCode(400)
                .body("error", equalTo("invalid_request"), "message", containsString("dependency cycle"),
                        "message", containsString("x"), "message", containsString("y"), "message", containsString("z"),
                        "message", not(containsString("ok")));
        given().get("/v1/tasks?type={t}", type).then().body("tasks", hasSize(0));
    }

    @Test
    void unknownIdsAndInvalidMembersAre400NamingThemAndNothingIsCreated() {
        String type = unique("t");
        json().body(Map.of("type", type, "depends_on", List.of("ghost-1"))).post("/v1/tasks")
                .then().statusCode(400).body("message", containsString("depends_on: unknown task ids [ghost-1]"));
        json().body(Map.of("tasks", List.of(member("a", type), member("b", type, "a", "ghost-2"))))
                .post("/v1/tasks/batch").then().statusCode(400)
                .body("message", containsString("tasks[1](b).depends_on"), "message", containsString("ghost-2"));
        Map<String, Object> bad = member("c", type, "a");
        bad.put("priority", "SOON");
        json().body(Map.of("tasks", List.of(member("a", type), bad))).post("/v1/tasks/batch")
                .then().statusCode(400).body("message", containsString("priority: unknown value 'SOON'"));
        Map<String, Object> noType = member("d", null);
        json().body(Map.of("tasks", List.of(member("a", type), noType))).post("/v1/tasks/batch")
                .then().statusCode(400).body("message", containsString("tasks[1](d).type: is required"));
        json().body(Map.of("tasks", List.of())).post("/v1/tasks/batch")
                .then().statusCode(400).body("message", containsString("tasks: must hold at least one task"));
        given().get("/v1/tasks?type={t}", type).then().body("tasks", hasSize(0));
    }

    @Test
    void theBatchAnswerListsRefsIdsAndStatuses() {
        String type = unique("t");
        List<Object> members = new ArrayList<>();
        members.add(member("root", type));
        members.add(member("leaf", type, "root"));
        json().body(Map.of("tasks", members)).post("/v1/tasks/batch").then().statusCode(201)
                .body("tasks.ref", equalTo(List.of("root", "leaf")), "tasks.status", equalTo(List.of("PENDING", "WAITING")),
                        "tasks.created", equalTo(List.of(true, true)));
        given().get("/v1/stats").then().body("waiting", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
    }
}
