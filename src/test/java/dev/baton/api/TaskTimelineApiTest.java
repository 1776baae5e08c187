package dev.baton.api;

import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard's task pages read, through HTTP (docs/api.md): each task's attempts and
 * dependents, the list's priority and creation-time filters, and a task's timeline as JSON.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class TaskTimelineApiTest {

    @Test
    void aTaskAnswersEachAttemptAndItsDependentsAlsoAfterItEnded() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String parent = Api.submit(Map.of("type", type, "max_retries", 0));
        String child = Api.submit(Map.of("type", type, "depends_on", List.of(parent)));
        given().get("/v1/tasks/{id}", parent).then().statusCode(200)
                .body("attempts", hasSize(0), "dependents", equalTo(List.of(child)));

        Response claimed = Api.claimNow(agent);
        claimed.then().statusCode(200).body("tasks[0].id", equalTo(parent), "tasks[0].attempts", hasSize(1),
                "tasks[0].attempts[0].agent", equalTo(agent));
        given().get("/v1/tasks/{id}", parent).then().statusCode(200)
                .body("attempts", hasSize(1), "attempts[0].attempt", equalTo(1), "attempts[0].agent", equalTo(agent),
                        "attempts[0].started_at", notNullValue(), "attempts[0]", not(hasKey("ended_at")),
                        "attempts[0]", not(hasKey("outcome")), "attempts[0]", not(hasKey("error")));

        json().body(Map.of("lease_id", claimed.path("tasks[0].lease_id"), "error", "disk full", "retryable", true))
                .post("/v1/tasks/{id}/fail", parent).then().statusCode(200)
                .body("status", equalTo("FAILED"), "attempts", hasSize(1), "attempts[0].outcome", equalTo("failed"),
                        "attempts[0].error", equalTo("disk full"), "attempts[0].ended_at", notNullValue());
        given().get("/v1/tasks/{id}", parent).then().statusCode(200).body("dependents", equalTo(List.of(child)));
        given().get("/v1/tasks/{id}", child).then().statusCode(200)
                .body("status", equalTo("CANCELLED"), "error", equalTo("dependency " + parent + " FAILED"));
    }

    @Test
    void theListFiltersByPriorityAndCreationTime() {
        String type = unique("t");
        String low = Api.submit(type, "LOW");
        TestClock.advance(Duration.ofSeconds(1));
        String high = Api.submit(type, "HIGH");
        String highAt = given().get("/v1/tasks/{id}", high).path("created_at");
        TestClock.advance(Duration.ofSeconds(1));
        String later = Api.submit(type, "HIGH");

        given().get("/v1/tasks?type={t}&priority=HIGH", type).then().statusCode(200).body("tasks.id", equalTo(List.of(high, later)));
        given().get("/v1/tasks?type={t}&priority=high&limit=1", type).then().statusCode(200)
                .body("tasks.id", equalTo(List.of(high)), "next_after", equalTo(high));
        given().get("/v1/tasks?type={t}&priority=HIGH&limit=1&after={a}", type, high).then().statusCode(200)
                .body("tasks.id", equalTo(List.of(later)));
        given().get("/v1/tasks?type={t}&created_after={at}", type, highAt).then().statusCode(200)
                .body("tasks.id", equalTo(List.of(later)));
        given().get("/v1/tasks?type={t}&created_before={at}", type, highAt).then().statusCode(200)
                .body("tasks.id", equalTo(List.of(low)));
        given().get("/v1/tasks?type={t}&status=PENDING&priority=LOW&created_before={at}", type, highAt).then().statusCode(200)
                .body("tasks.id", equalTo(List.of(low)));

        given().get("/v1/tasks?created_after=yesterday").then().statusCode(400)
                .body("error", equalTo("invalid_request"), "message", containsString("created_after"));
        given().get("/v1/tasks?created_before=2026-13-01T00:00:00Z").then().statusCode(400)
                .body("message", containsString("created_before"));
        given().get("/v1/tasks?priority=URGENT").then().statusCode(400).body("message", containsString("priority"));
    }

    @Test
    void aTasksTimelineIsItsEventsInSeqOrderAsTheStreamWritesThem() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String id = Api.submit(type, "MEDIUM");
        Api.Lease lease = Api.claimOne(agent);
        json().body(Map.of("lease_id", lease.leaseId(), "progress", 50, "message", "half")).post("/v1/tasks/{id}/heartbeat", id)
                .then().statusCode(200);
        Api.complete(id, lease.leaseId()).then().statusCode(200);

        List<String> kinds = List.of("task.submitted", "task.assigned", "task.started", "task.progress", "task.completed");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().accept(ContentType.JSON)
                .get("/v1/tasks/{id}/events", id).then().statusCode(200).contentType(ContentType.JSON)
                .body("events.event", equalTo(kinds)));
        Response timeline = given().accept(ContentType.JSON).get("/v1/tasks/{id}/events", id);
        timeline.then().statusCode(200).contentType(ContentType.JSON)
                .body("events.task_id", equalTo(List.of(id, id, id, id, id)), "events[3].progress", equalTo(50),
                        "events[3].message", equalTo("half"), "events[1].agent_id", equalTo(agent),
                        "events[1].score", notNullValue(), "events[0]", hasKey("score"));
        List<Integer> seqs = timeline.path("events.seq");
        assertEquals(seqs.stream().sorted().toList(), seqs, "in seq order");

        given().accept(ContentType.JSON).get("/v1/tasks/{id}/events", unique("none")).then().statusCode(404)
                .body("error", equalTo("task_not_found"));
    }
}
