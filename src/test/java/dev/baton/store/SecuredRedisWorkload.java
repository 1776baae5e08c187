package dev.baton.store;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every kind of Redis traffic Baton makes, through its API: submit (journal), a batch, register,
 * claim, complete (a finished task: SET, XADD), events (PUBLISH), a checkpoint, and reads of finished
 * tasks back from Redis. Used by the tests that connect Baton to a Redis with credentials.
 */
final class SecuredRedisWorkload {

    /** Makes the workload reach Redis for everything it can: quick checkpoints, no cache of finished tasks. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.checkpoint-interval", "200ms", "baton.finished-cache-size", "1");
        }
    }

    private SecuredRedisWorkload() {
    }

    static void run() {
        String type = "secured-" + UUID.randomUUID();
        String agent = "agent-" + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("capabilities", List.of(type))).put("/v1/agents/{id}", agent)
                .then().statusCode(200);
        String first = given().contentType(ContentType.JSON).body(Map.of("type", type)).post("/v1/tasks")
                .then().statusCode(201).extract().path("id");
        given().contentType(ContentType.JSON).body(Map.of("tasks", List.of(Map.of("ref", "a", "type", type),
                        Map.of("ref", "b", "type", type, "depends_on", List.of("a")))))
                .post("/v1/tasks/batch").then().statusCode(201);
        for (int i = 0; i < 3; i++) {
            ExtractableResponse<Response> claimed = given().post("/v1/agents/{id}/claim?wait_ms=5000", agent)
                    .then().statusCode(200).extract();
            String lease = claimed.path("tasks[0].lease_id");
            String task = claimed.path("tasks[0].id");
            given().contentType(ContentType.JSON).body(Map.of("lease_id", lease)).post("/v1/tasks/{id}/complete", task)
                    .then().statusCode(200);
        }
        // a checkpoint holds them (one that covers every event written), and with a cache of one
        // finished task they are read back from Redis
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Map<String, Number> store = given().get("/q/health/ready").then().extract()
                    .path("checks.find { it.name == 'store' }.data");
            return store != null && store.get("checkpoints").longValue() >= 1
                    && store.get("checkpoint_seq").longValue() >= store.get("journal_written_seq").longValue();
        });
        given().get("/v1/tasks/{id}", first).then().statusCode(200).body("status", equalTo("COMPLETED"));
        given().get("/v1/tasks?status=COMPLETED&type={t}", type).then().statusCode(200).body("tasks.id", hasItem(first));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
