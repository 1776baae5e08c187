package dev.baton.api;

import static dev.baton.api.Api.claimNow;
import static dev.baton.api.Api.claimOne;
import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.fail;
import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.baton.engine.Coordinator;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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

    @Inject
    io.vertx.mutiny.redis.client.Redis redis;

    @Test
    void withRedisGoneDurableCallsAnswer503ClaimsGoOnAndAllIsWrittenWhenItReturns() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 2, type);
        String before = submit(type, "HIGH");

        RedisTestResource.redis().stop();
        Api.Lease lease;
        try {
            long started = System.nanoTime();
            json().body(Map.of("type", type, "id", "late-1")).post("/v1/tasks").then().statusCode(503)
                    .header("Retry-After", notNullValue())
                    .body("error", equalTo("durability_unavailable"), "message", containsString("did not confirm"));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            org.junit.jupiter.api.Assertions.assertTrue(tookMillis < 1_000 + 5_000, "answered after " + tookMillis + " ms");
            lease = claimOne(agent); // claims keep working from memory
            org.junit.jupiter.api.Assertions.assertEquals(before, lease.taskId());
            complete(before, lease.leaseId()).then().statusCode(503).body("error", equalTo("durability_unavailable"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN")));
        } finally {
            RedisTestResource.redis().start();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200));
        // the unconfirmed complete was kept in memory and written meanwhile: retrying it is idempotent
        complete(before, lease.leaseId()).then().statusCode(200).body("duplicate", equalTo(true));
        // the refused submit changed nothing (Redis could not say whether its id is a finished task
        // kept for the retention, so it could have been one run again): now it is created
        json().body(Map.of("type", type, "id", "late-1")).post("/v1/tasks").then().statusCode(201)
                .body("id", equalTo("late-1"));
    }

    /**
     * The journal writes from an event loop (store/Journal): an acknowledged call waited for its
     * entry in Redis, and no thread of the journal's own took part.
     */
    @Test
    void theJournalWritesFromAnEventLoopWithNoThreadOfItsOwn() {
        String type = unique("t");
        String id = submit(type, "HIGH");
        // acknowledged: in the journal, or already in the checkpoint that trimmed it (every 100 ms here)
        String journal = redis.send(io.vertx.mutiny.redis.client.Request.cmd(io.vertx.mutiny.redis.client.Command.XRANGE)
                .arg("{baton}:journal").arg("-").arg("+")).await().atMost(Duration.ofSeconds(5)).toString();
        io.vertx.mutiny.redis.client.Response record = redis.send(io.vertx.mutiny.redis.client.Request.cmd(
                io.vertx.mutiny.redis.client.Command.HGET).arg("{baton}:tasks").arg(id)).await().atMost(Duration.ofSeconds(5));
        org.junit.jupiter.api.Assertions.assertTrue(journal.contains(id) || record != null, "the acknowledged submit is in Redis");
        List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
        org.junit.jupiter.api.Assertions.assertFalse(names.contains("baton-journal"), "threads: " + names);
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

    @Inject
    Coordinator coordinator;

    /** Finishes tasks of {@code type} one by one; returns each id with the lease its run ended with. */
    private static Map<String, String> finish(String agent, String type, int count, boolean complete) {
        Map<String, String> leases = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String id = unique(complete ? "done" : "dead");
            json().body(Map.of("type", type, "id", id, "payload", Map.of("n", 1))).post("/v1/tasks").then().statusCode(201);
            Api.Lease lease = claimOne(agent);
            org.junit.jupiter.api.Assertions.assertEquals(id, lease.taskId());
            (complete ? complete(id, lease.leaseId()) : fail(id, lease.leaseId(), false)).then().statusCode(200);
            leases.put(id, lease.leaseId());
        }
        return leases;
    }

    @Test
    void finishedTasksOutOfMemoryStayKnownToSubmitCompleteDependsOnListAndRetry() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        Map<String, String> done = finish(agent, type, 3, true);
        Map<String, String> dead = finish(agent, type, 3, false);
        // the cache holds one finished task: pick ones the engine no longer holds
        String x = coordinator.unknown(done.keySet()).get(0);
        String f = coordinator.unknown(dead.keySet()).get(0);

        json().body(Map.of("type", type, "id", x, "payload", Map.of("n", 1))).post("/v1/tasks").then().statusCode(200)
                .body("id", equalTo(x), "status", equalTo("COMPLETED"));
        json().body(Map.of("type", type, "id", x, "payload", Map.of("n", 2))).post("/v1/tasks").then().statusCode(409)
                .body("error", equalTo("id_conflict"));
        claimNow(agent).then().statusCode(204);
        complete(x, done.get(x)).then().statusCode(200).body("duplicate", equalTo(true), "status", equalTo("COMPLETED"));
        fail(f, dead.get(f), false).then().statusCode(200).body("duplicate", equalTo(true), "status", equalTo("FAILED"));

        String other = unique("t");
        json().body(Map.of("type", other, "depends_on", List.of(x))).post("/v1/tasks").then().statusCode(201)
                .body("status", equalTo("PENDING"));
        json().body(Map.of("type", other, "depends_on", List.of(f))).post("/v1/tasks").then().statusCode(201)
                .body("status", equalTo("CANCELLED"));

        given().get("/v1/tasks?status=FAILED&type={t}&limit=2", type).then().statusCode(200)
                .body("tasks.id", equalTo(dead.keySet().stream().sorted().limit(2).toList()), "next_after", notNullValue());
        given().get("/v1/tasks?status=COMPLETED&type={t}", type).then().statusCode(200)
                .body("tasks.id", equalTo(done.keySet().stream().sorted().toList()));

        given().post("/v1/tasks/{id}/retry", f).then().statusCode(200).body("status", equalTo("PENDING"));
        Api.Lease again = claimOne(agent);
        org.junit.jupiter.api.Assertions.assertEquals(f, again.taskId());
        complete(f, again.leaseId()).then().statusCode(200).body("status", equalTo("COMPLETED"), "duplicate", equalTo(false));
        given().get("/v1/tasks?status=FAILED&type={t}", type).then().statusCode(200)
                .body("tasks.id", equalTo(dead.keySet().stream().filter(id -> !id.equals(f)).sorted().toList()));
    }
}
