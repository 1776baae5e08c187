package dev.baton.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small client for API tests: every call goes through real HTTP (REST Assured). Task types and
 * agent ids are made unique per test, so test classes sharing one app do not see each other's work.
 */
final class Api {

    private static final ExecutorService LONG_POLLS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "test-long-poll");
        thread.setDaemon(true);
        return thread;
    });

    private Api() {
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RequestSpecification json() {
        return given().contentType(ContentType.JSON);
    }

    static void registerAgent(String id, int maxConcurrency, String... capabilities) {
        json().body(Map.of("capabilities", List.of(capabilities), "max_concurrency", maxConcurrency))
                .put("/v1/agents/{id}", id).then().statusCode(200);
    }

    static String submit(String type, String priority) {
        return submit(Map.of("type", type, "priority", priority));
    }

    static String submit(Map<String, ?> body) {
        return json().body(body).post("/v1/tasks").then().statusCode(201).extract().path("id");
    }

    /** Claims at most one task without waiting; the claimed task JSON, or null on 204. */
    static Response claimNow(String agent) {
        return given().post("/v1/agents/{id}/claim?wait_ms=0", agent);
    }

    static Lease claimOne(String agent) {
        Response r = claimNow(agent);
        r.then().statusCode(200);
        return new Lease(r.path("tasks[0].id"), r.path("tasks[0].lease_id"));
    }

    /** A long-poll claim running on its own thread. */
    static CompletableFuture<Response> claimAsync(String agent, long waitMs) {
        return CompletableFuture.supplyAsync(
                () -> given().post("/v1/agents/{id}/claim?wait_ms={w}", agent, waitMs), LONG_POLLS);
    }

    static void awaitParked(String agent) {
        await().atMost(Duration.ofSeconds(10)).until(
                () -> given().get("/v1/agents/{id}", agent).then().extract().<Integer>path("waiting_claims") > 0);
    }

    static Response complete(String taskId, String leaseId) {
        return json().body(Map.of("lease_id", leaseId, "result", Map.of("ok", true)))
                .post("/v1/tasks/{id}/complete", taskId);
    }

    static Response fail(String taskId, String leaseId, boolean retryable) {
        return json().body(Map.of("lease_id", leaseId, "error", "boom", "retryable", retryable))
                .post("/v1/tasks/{id}/fail", taskId);
    }

    static String status(String taskId) {
        return given().get("/v1/tasks/{id}", taskId).then().statusCode(200).extract().path("status");
    }

    static void awaitStatus(String taskId, String status) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(given().get("/v1/tasks/{id}", taskId).<String>path("status"), equalTo(status)));
    }

    record Lease(String taskId, String leaseId) {
    }

    /** A fresh agent able to run a fresh type, and one submitted task of that type. */
    record Setup(String type, String agent, String taskId) {
        static Setup of(String priority) {
            String type = unique("t");
            String agent = unique("a");
            registerAgent(agent, 1, type);
            return new Setup(type, agent, submit(type, priority));
        }

        Lease claim() {
            Lease lease = claimOne(agent);
            if (!lease.taskId().equals(taskId)) {
                throw new AssertionError("claimed " + lease.taskId() + ", expected " + taskId);
            }
            return lease;
        }
    }

    /**
     * Every bad {@code adaptive} setting PUT to {@code path} (a type's or a key limit's) is a 400
     * naming its field; the caller checks that nothing changed.
     */
    static void refusesBadAdaptiveSettings(String path, String name) {
        Map<Map<String, Object>, String> bad = Map.of(
                Map.of("min", 0, "max", 5), "adaptive.min",
                Map.of("min", 6, "max", 5), "adaptive.max",
                Map.of("min", 1), "adaptive.max",
                Map.of("max", 200_000), "adaptive.max",
                Map.of("max", 5, "target_run_time", "soon"), "adaptive.target_run_time",
                Map.of("max", 5, "target_run_time", "0s"), "adaptive.target_run_time",
                Map.of("max", 5, "floor", 1), "floor");
        bad.forEach((adaptive, field) -> json().body(Map.of("adaptive", adaptive)).put(path, name)
                .then().statusCode(400).body("message", org.hamcrest.Matchers.containsString(field)));
    }
}
