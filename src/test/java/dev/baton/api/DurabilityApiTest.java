package dev.baton.api;

import static dev.baton.api.Api.claimOne;
import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Journal mode through HTTP: acknowledged means written; without Redis, durable calls answer 503. */
@QuarkusTest
@TestProfile(DurabilityApiTest.Durable.class)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class DurabilityApiTest {

    public static class Durable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.ack-timeout", "1s", "baton.checkpoint-interval", "100ms",
                    "baton.finished-cache-size", "1");
        }
    }

    @Test
    void withRedisGoneDurableCallsAnswer503ClaimsGoOnAndAllIsWrittenWhenItReturns() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 2, type);
        String before = submit(type, "HIGH");

        RedisTestResource.redis().stop();
        try {
            long started = System.nanoTime();
            json().body(Map.of("type", type, "id", "late-1")).post("/v1/tasks").then().statusCode(503)
                    .header("Retry-After", notNullValue())
                    .body("error", equalTo("durability_unavailable"), "message", containsString("did not confirm"));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            org.junit.jupiter.api.Assertions.assertTrue(tookMillis < 1_000 + 5_000, "answered after " + tookMillis + " ms");
            Api.Lease lease = claimOne(agent); // claims keep working from memory
            org.junit.jupiter.api.Assertions.assertEquals(before, lease.taskId());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN")));
        } finally {
            RedisTestResource.redis().start();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200));
        // the refused submit was kept in memory and written meanwhile: retrying it is idempotent
        json().body(Map.of("type", type, "id", "late-1")).post("/v1/tasks").then().statusCode(200)
                .body("id", equalTo("late-1"));
    }

    @Test
    void aFinishedTaskOutOfMemoryIsReadBackFromRedis() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String first = submit(type, "LOW");
        Api.Lease one = claimOne(agent);
        complete(one.taskId(), one.leaseId()).then().statusCode(200);
        String second = submit(type, "LOW");
        Api.Lease two = claimOne(agent);
        complete(two.taskId(), two.leaseId()).then().statusCode(200);
        org.junit.jupiter.api.Assertions.assertEquals(first, one.taskId());
        org.junit.jupiter.api.Assertions.assertEquals(second, two.taskId());
        // the in-memory cache holds one finished task; the other comes from its Redis key
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            given().get("/v1/tasks/{id}", first).then().statusCode(200)
                    .body("status", equalTo("COMPLETED"), "result.ok", equalTo(true));
            given().get("/v1/tasks/{id}", second).then().statusCode(200).body("status", equalTo("COMPLETED"));
        });
    }
}
