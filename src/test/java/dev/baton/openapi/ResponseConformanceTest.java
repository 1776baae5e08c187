package dev.baton.openapi;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Drives every JSON operation through each answer it can give in a test app (all but 429, 503
 * and the token checks) and holds every answer to the served OpenAPI document with
 * {@link OpenApiConformance}: a status, field, type or header the document does not declare fails.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class ResponseConformanceTest {

    /** Declared answers this test does not provoke: they need tokens, a full queue or a Redis that refuses. */
    private static final Set<String> NOT_PROVOKED = Set.of("401", "403", "429", "503");

    private OpenApiConformance conformance;

    private RequestSpecification call() {
        return given().filter(conformance).contentType(ContentType.JSON);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void everyAnswerIsOneTheDocumentDeclares() {
        conformance = new OpenApiConformance(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        String type = unique("conf");
        String agent = unique("agent");

        // agents
        call().body(Map.of("capabilities", List.of(type), "max_concurrency", 4, "labels", Map.of("zone", "a")))
                .put("/v1/agents/{id}", agent).then().statusCode(200);
        call().body(Map.of("max_concurrency", 1)).put("/v1/agents/{id}", unique("agent")).then().statusCode(400);
        call().get("/v1/agents/{id}", agent).then().statusCode(200);
        call().get("/v1/agents/{id}", unique("nobody")).then().statusCode(404);
        call().get("/v1/agents").then().statusCode(200);
        call().post("/v1/agents/{id}/claim?wait_ms=0", agent).then().statusCode(204);
        call().post("/v1/agents/{id}/claim?max=0", agent).then().statusCode(400);
        call().post("/v1/agents/{id}/claim", unique("nobody")).then().statusCode(404);

        // submit, read, list
        String id = unique("task");
        Map<String, Object> task = Map.of("id", id, "type", type, "priority", "HIGH", "description", "d",
                "payload", Map.of("n", 1, "nested", Map.of("a", List.of(1, 2))), "max_retries", 2);
        call().body(task).post("/v1/tasks").then().statusCode(201);
        call().body(task).post("/v1/tasks").then().statusCode(200);
        call().body(Map.of("id", id, "type", type)).post("/v1/tasks").then().statusCode(409);
        call().body(Map.of("priority", "LOW")).post("/v1/tasks").then().statusCode(400);
        call().body(Map.of("type", type, "callback_url", "https://a.hooks.test/done")).post("/v1/tasks").then().statusCode(201);
        call().body(Map.of("type", type, "callback_url", "https://example.com/done")).post("/v1/tasks").then().statusCode(400);
        String later = call().body(Map.of("type", type, "run_at", Instant.now().plusSeconds(3600).toString()))
                .post("/v1/tasks").then().statusCode(201).extract().path("id");
        call().get("/v1/tasks/{id}", id).then().statusCode(200);
        call().get("/v1/tasks/{id}", later).then().statusCode(200);
        call().get("/v1/tasks/{id}", unique("none")).then().statusCode(404);
        call().get("/v1/tasks?type={t}&limit=1", type).then().statusCode(200);
        call().get("/v1/tasks?type={t}&status=PENDING&agent={a}", type, agent).then().statusCode(200);
        call().get("/v1/tasks?status=SLEEPING").then().statusCode(400);

        // batch: refs, dependencies, repeat, cycle, too large
        String first = unique("b");
        Map<String, Object> batch = Map.of("tasks", List.of(Map.of("ref", "x", "id", first, "type", type),
                Map.of("ref", "y", "type", type, "depends_on", List.of("x"), "on_dependency_failure", "run")));
        List<String> members = call().body(batch).post("/v1/tasks/batch").then().statusCode(201).extract().path("tasks.id");
        call().body(Map.of("tasks", List.of(Map.of("id", first, "type", type)))).post("/v1/tasks/batch").then().statusCode(200);
        call().body(Map.of("tasks", List.of(Map.of("id", first, "type", "other")))).post("/v1/tasks/batch").then().statusCode(409);
        call().body(Map.of("tasks", List.of(Map.of("ref", "p", "type", type, "depends_on", List.of("q")),
                Map.of("ref", "q", "type", type, "depends_on", List.of("p"))))).post("/v1/tasks/batch").then().statusCode(400);
        call().body(Map.of("tasks", Collections.nCopies(10_001, Map.of("type", type)))).post("/v1/tasks/batch")
                .then().statusCode(413);
        call().get("/v1/tasks/{id}", members.get(1)).then().statusCode(200); // WAITING, with waiting_on
        // a body past quarkus.http.limits.max-body-size (1 MiB)
        call().body(Map.of("type", type, "payload", Map.of("blob", "x".repeat(1 << 20)))).post("/v1/tasks").then().statusCode(413);

        // leases: claim, heartbeat, complete, fail, retry, cancel
        Response claimed = call().post("/v1/agents/{id}/claim?wait_ms=10&max=2", agent);
        claimed.then().statusCode(200);
        List<String> ids = claimed.path("tasks.id");
        List<String> leases = claimed.path("tasks.lease_id");
        call().body(Map.of("lease_id", leases.get(0), "progress", 40, "message", "half")).post("/v1/tasks/{id}/heartbeat", ids.get(0))
                .then().statusCode(200);
        call().body(Map.of("lease_id", "stale")).post("/v1/tasks/{id}/heartbeat", ids.get(0)).then().statusCode(409);
        call().body(Map.of("progress", 1)).post("/v1/tasks/{id}/heartbeat", ids.get(0)).then().statusCode(400);
        call().body(Map.of("lease_id", "l")).post("/v1/tasks/{id}/heartbeat", unique("none")).then().statusCode(404);
        Map<String, Object> done = Map.of("lease_id", leases.get(0), "result", Map.of("ok", true, "files", List.of("a")));
        call().body(done).post("/v1/tasks/{id}/complete", ids.get(0)).then().statusCode(200);
        call().body(done).post("/v1/tasks/{id}/complete", ids.get(0)).then().statusCode(200);
        call().body(Map.of("lease_id", "stale", "result", 7)).post("/v1/tasks/{id}/complete", ids.get(1)).then().statusCode(409);
        call().body(Map.of("result", 7)).post("/v1/tasks/{id}/complete", ids.get(1)).then().statusCode(400);
        call().body(Map.of("lease_id", "l")).post("/v1/tasks/{id}/complete", unique("none")).then().statusCode(404);
        call().get("/v1/tasks/{id}", ids.get(0)).then().statusCode(200); // COMPLETED, with result
        call().body(Map.of("lease_id", leases.get(1))).post("/v1/tasks/{id}/fail", ids.get(1)).then().statusCode(400);
        call().body(Map.of("lease_id", leases.get(1), "error", "no", "retryable", false)).post("/v1/tasks/{id}/fail", ids.get(1))
                .then().statusCode(200);
        call().body(Map.of("lease_id", leases.get(1), "error", "no")).post("/v1/tasks/{id}/fail", unique("none")).then().statusCode(404);
        call().body(Map.of("lease_id", "stale", "error", "no")).post("/v1/tasks/{id}/fail", ids.get(1)).then().statusCode(409);
        call().post("/v1/tasks/{id}/retry", ids.get(1)).then().statusCode(200);
        call().post("/v1/tasks/{id}/retry", ids.get(1)).then().statusCode(409);
        call().post("/v1/tasks/{id}/retry", unique("none")).then().statusCode(404);
        Response running = call().post("/v1/agents/{id}/claim?max=1", agent);
        running.then().statusCode(200);
        String runningId = running.path("tasks[0].id");
        call().post("/v1/tasks/{id}/cancel", runningId).then().statusCode(200);
        call().post("/v1/tasks/{id}/cancel", runningId).then().statusCode(200); // a repeat: duplicate
        call().body(Map.of("lease_id", running.<String>path("tasks[0].lease_id"))).post("/v1/tasks/{id}/heartbeat", runningId);
        call().post("/v1/tasks/{id}/cancel", ids.get(0)).then().statusCode(409);
        call().post("/v1/tasks/{id}/cancel", unique("none")).then().statusCode(404);

        // the dashboard's reads: the list's priority and time filters, a task's timeline
        call().get("/v1/tasks?type={t}&priority=HIGH&created_after={a}&created_before={b}", type, "2000-01-01T00:00:00Z",
                "2999-01-01T00:00:00Z").then().statusCode(200);
        call().get("/v1/tasks?created_after=yesterday").then().statusCode(400);
        call().accept(ContentType.JSON).get("/v1/tasks/{id}/events", ids.get(0)).then().statusCode(200);
        call().accept(ContentType.JSON).get("/v1/tasks/{id}/events", unique("none")).then().statusCode(404);

        // complete many: an item completed, an item refused as the single complete would be; malformed; too many
        call().body(Map.of("type", type, "priority", "CRITICAL")).post("/v1/tasks").then().statusCode(201);
        Response more = call().post("/v1/agents/{id}/claim?max=1", agent);
        more.then().statusCode(200);
        List<Map<String, Object>> items = List.of(
                Map.of("task_id", more.<String>path("tasks[0].id"), "lease_id", more.<String>path("tasks[0].lease_id"), "result", 1),
                Map.of("task_id", ids.get(0), "lease_id", "stale"));
        call().body(Map.of("tasks", items)).post("/v1/agents/{id}/complete", agent).then().statusCode(200);
        call().body(Map.of("tasks", List.of(Map.of("task_id", ids.get(0))))).post("/v1/agents/{id}/complete", agent)
                .then().statusCode(400);
        call().body(Map.of("tasks", Collections.nCopies(10_001, items.get(1)))).post("/v1/agents/{id}/complete", agent)
                .then().statusCode(413);

        // operations, and leaving
        call().get("/v1/stats").then().statusCode(200);
        call().get("/v1/analytics?type={t}&step=5m", type).then().statusCode(200);
        call().get("/v1/analytics?agent={a}", agent).then().statusCode(200);
        call().get("/v1/analytics?step=7s").then().statusCode(400);

        // task types and bulk actions
        call().body(Map.of("paused", true, "max_running", 2, "max_retries", 1, "backoff", List.of("5s", "1m")))
                .put("/v1/types/{t}", type).then().statusCode(200);
        call().get("/v1/types").then().statusCode(200);
        call().get("/v1/types/{t}", type).then().statusCode(200);
        call().body(Map.of("max_running", 0)).put("/v1/types/{t}", type).then().statusCode(400);
        call().body(Map.of("adaptive", Map.of("min", 1, "max", 8, "target_run_time", "30s")))
                .put("/v1/types/{t}", type).then().statusCode(200);
        call().get("/v1/types/{t}", type).then().statusCode(200);
        call().body(Map.of("adaptive", Map.of("min", 9, "max", 8))).put("/v1/types/{t}", type).then().statusCode(400);
        call().body(Map.of()).put("/v1/types/{t}", type).then().statusCode(200);
        call().body(Map.of("action", "cancel", "filter", Map.of("type", type), "dry_run", true)).post("/v1/tasks/bulk")
                .then().statusCode(200);
        call().body(Map.of("action", "cancel", "filter", Map.of())).post("/v1/tasks/bulk").then().statusCode(400);

        // schedules
        String schedule = unique("sched");
        Map<String, Object> every = Map.of("id", schedule, "every", "1h", "catch_up", "all",
                "template", Map.of("type", type, "payload", Map.of("n", 1), "depends_on_previous", true));
        call().body(every).post("/v1/schedules").then().statusCode(201);
        call().body(every).post("/v1/schedules").then().statusCode(200);
        call().body(Map.of("id", schedule, "every", "2h", "template", Map.of("type", type))).post("/v1/schedules")
                .then().statusCode(409);
        call().body(Map.of("id", schedule, "cron", "61 * * * *", "template", Map.of("type", type))).post("/v1/schedules")
                .then().statusCode(400);
        call().get("/v1/schedules").then().statusCode(200);
        call().get("/v1/schedules/{id}", schedule).then().statusCode(200);
        call().get("/v1/schedules/{id}", unique("none")).then().statusCode(404);
        Map<String, Object> cron = Map.of("cron", "0 9 * * MON-FRI", "time_zone", "Europe/Paris",
                "template", Map.of("type", type, "priority", "LOW", "description", "d", "max_retries", 0));
        call().body(cron).put("/v1/schedules/{id}", schedule).then().statusCode(200);
        call().body(Map.of("cron", "0 9 * * *", "time_zone", "Nowhere", "template", Map.of("type", type)))
                .put("/v1/schedules/{id}", schedule).then().statusCode(400);
        call().body(cron).put("/v1/schedules/{id}", unique("none")).then().statusCode(404);
        call().post("/v1/schedules/{id}/pause", schedule).then().statusCode(200);
        call().post("/v1/schedules/{id}/pause", unique("none")).then().statusCode(404);
        call().post("/v1/schedules/{id}/resume", schedule).then().statusCode(200);
        call().post("/v1/schedules/{id}/resume", unique("none")).then().statusCode(404);
        call().delete("/v1/schedules/{id}", schedule).then().statusCode(200);
        call().delete("/v1/schedules/{id}", schedule).then().statusCode(404);

        // key limits
        String key = unique("conf") + ":*";
        call().body(Map.of("rate", 10, "window", "1m", "burst", 20, "max_running", 2)).put("/v1/limits/{k}", key)
                .then().statusCode(200);
        call().get("/v1/limits").then().statusCode(200);
        call().body(Map.of("max_running", 2, "adaptive", Map.of("min", 1, "max", 3, "target_run_time", "30s")))
                .put("/v1/limits/{k}", key).then().statusCode(200);
        String keyed = call().body(Map.of("type", type, "concurrency_key", key.replace("*", "a"))).post("/v1/tasks")
                .then().statusCode(201).extract().path("id");
        call().get("/v1/limits").then().statusCode(200); // a key with its own adaptive cap
        call().body(Map.of("adaptive", Map.of("min", 4, "max", 3))).put("/v1/limits/{k}", key).then().statusCode(400);
        call().post("/v1/tasks/{id}/cancel", keyed).then().statusCode(200);
        call().body(Map.of("rate", -1, "window", "1m")).put("/v1/limits/{k}", key).then().statusCode(400);
        call().delete("/v1/limits/{k}", key).then().statusCode(204);
        call().delete("/v1/limits/{k}", "k".repeat(129)).then().statusCode(400);

        call().delete("/v1/agents/{id}", agent).then().statusCode(200);
        call().delete("/v1/agents/{id}", agent).then().statusCode(404);

        Set<String> missed = new TreeSet<>(conformance.declared("/v1/"));
        missed.removeAll(conformance.seen());
        missed.removeIf(answer -> NOT_PROVOKED.contains(answer.substring(answer.lastIndexOf(' ') + 1))
                || answer.contains("/events "));
        assertEquals(new ArrayList<String>(), new ArrayList<>(missed), "declared answers this test never saw");
    }
}
