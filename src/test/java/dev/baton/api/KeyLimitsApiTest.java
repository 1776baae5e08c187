package dev.baton.api;

import static dev.baton.api.Api.claimNow;
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
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.api.Api.Lease;
import dev.baton.testing.RedisTestResource;
import dev.baton.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Key limits through real HTTP: the task fields {@code rate_key}, {@code cost}, {@code concurrency_key} and {@code /v1/limits}. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class KeyLimitsApiTest {

    @Test
    void aRateLimitedKeyWaitsOnItsLimitAndShowsInTheTaskAndInLimits() {
        String type = unique("llm");
        String key = unique("openai") + ":gpt";
        String agent = unique("w");
        registerAgent(agent, 5, type);
        json().body(Map.of("rate", 3, "window", "1h")).put("/v1/limits/{key}", key.replace(":gpt", ":*"))
                .then().statusCode(200).body("rate", equalTo(3), "window", equalTo("1h"), "burst", equalTo(3),
                        "runtime.rate", equalTo(3));
        String first = submit(Map.of("type", type, "rate_key", key, "cost", 2, "concurrency_key", "tenant-a"));
        String second = submit(Map.of("type", type, "rate_key", key, "cost", 2));
        given().get("/v1/tasks/{id}", first).then().statusCode(200)
                .body("rate_key", equalTo(key), "cost", equalTo(2), "concurrency_key", equalTo("tenant-a"));
        claimNow(agent).then().statusCode(200).body("tasks[0].id", equalTo(first), "tasks[0].rate_key", equalTo(key));
        claimNow(agent).then().statusCode(204);
        given().get("/v1/tasks/{id}", second).then().statusCode(200)
                .body("waiting_on_limit", equalTo(key), "queue_position", nullValue());
        given().get("/v1/limits").then().statusCode(200)
                .body("find { it.key == '" + key.replace(":gpt", ":*") + "' }.waiting", equalTo(1),
                        "find { it.key == '" + key.replace(":gpt", ":*") + "' }.keys[0].spent", equalTo(2));
        // the gauge counts the tasks a claim set aside to wait for their budget: here only this one
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("baton_rate_limited_tasks") == 1);

        json().body(Map.of("rate", 1000, "window", "1s")).put("/v1/limits/{key}", key.replace(":gpt", ":*"))
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> claimNow(agent).statusCode() == 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("baton_rate_limited_tasks") == 0);
        given().delete("/v1/limits/{key}", key.replace(":gpt", ":*")).then().statusCode(204);
        given().get("/v1/limits").then().body("key", not(hasItem(key.replace(":gpt", ":*"))));
    }

    @Test
    void aTaskWhoseConcurrencyKeyIsAtItsCapIsCountedByItsGaugeUntilTheKeyHasRoom() {
        String type = unique("capped");
        String key = unique("tenant");
        String agent = unique("w");
        registerAgent(agent, 5, type);
        json().body(Map.of("max_running", 1)).put("/v1/limits/{key}", key).then().statusCode(200);
        String first = submit(Map.of("type", type, "concurrency_key", key));
        submit(Map.of("type", type, "concurrency_key", key));
        Lease running = claimOne(agent);
        assertEquals(first, running.taskId());
        claimNow(agent).then().statusCode(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("baton_concurrency_limited_tasks") == 1);

        complete(running.taskId(), running.leaseId()).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("baton_concurrency_limited_tasks") == 0);
        claimNow(agent).then().statusCode(200);
        given().delete("/v1/limits/{key}", key).then().statusCode(204);
    }

    @Test
    void aConcurrencyKeysAdaptiveCapShowsInLimitsAndItsMovesAreEventsAndAGaugeWhileTheKeyLives() throws Exception {
        String type = unique("keyed");
        String tenant = unique("tenant");
        String key = tenant + ":a";
        String agent = unique("w");
        registerAgent(agent, 4, type);
        json().body(Map.of("max_running", 5, "adaptive", Map.of("min", 1, "max", 4, "target_run_time", "30s")))
                .put("/v1/limits/{key}", tenant + ":*").then().statusCode(200)
                .body("max_running", equalTo(5), "adaptive.min", equalTo(1), "adaptive.max", equalTo(4),
                        "adaptive.target_run_time", equalTo("30s"), "runtime.adaptive.max", equalTo(4),
                        "runtime.max_running", equalTo(5));
        try (SseClient stream = SseClient.open(EventsSseTest.uri("/v1/events?event=limit.changed"), null)) {
            assertEquals(200, stream.status());
            String last = null;
            for (int i = 0; i < 4; i++) {
                last = submit(Map.of("type", type, "concurrency_key", key, "max_retries", 0));
            }
            given().get("/v1/limits").then().statusCode(200)
                    .body(keyOf(tenant, "adaptive.limit"), equalTo(4),
                            keyOf(tenant, "adaptive.reason"), equalTo("started at the ceiling"),
                            keyOf(tenant, "adaptive.changed_at"), nullValue());
            for (int i = 0; i < 3; i++) {
                Lease lease = claimOne(agent);
                Api.fail(lease.taskId(), lease.leaseId(), false).then().statusCode(200);
            }
            given().get("/v1/limits").then().statusCode(200)
                    .body(keyOf(tenant, "adaptive.limit"), equalTo(3),
                            keyOf(tenant, "adaptive.reason"), equalTo("3 of the last 3 runs failed"),
                            keyOf(tenant, "adaptive.changed_at"), notNullValue(),
                            keyOf(tenant, "adaptive.min"), equalTo(1), keyOf(tenant, "adaptive.max"), equalTo(4));
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().stream()
                    .anyMatch(e -> e.data().contains("\"" + key + ": limit 3")));
            SseClient.Event event = stream.events().stream().filter(e -> e.data().contains("\"" + key + ": limit 3"))
                    .findFirst().orElseThrow();
            assertEquals("limit.changed", event.name());
            Map<String, Object> data = EventsRedisTest.parse(java.util.List.of(event.data())).get(0);
            assertEquals(key + ": limit 3: 3 of the last 3 runs failed", data.get("message"));
            String series = "baton_key_concurrency_limit{key=\"" + key + "\"} 3.0";
            await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString().contains(series));

            given().post("/v1/tasks/{id}/cancel", last).then().statusCode(200); // nothing names the key now
            await().atMost(Duration.ofSeconds(10)).until(() -> !given().get("/q/metrics").asString()
                    .contains("baton_key_concurrency_limit{key=\"" + key + "\"}"));
        }
        given().delete("/v1/limits/{key}", tenant + ":*").then().statusCode(204);
    }

    private static String keyOf(String tenant, String field) {
        return "find { it.key == '" + tenant + ":*' }.keys[0]." + field;
    }

    @Test
    void badAdaptiveLimitsAre400NamingTheFieldAndChangeNothing() {
        String key = unique("adaptive");
        json().body(Map.of("max_running", 2)).put("/v1/limits/{key}", key).then().statusCode(200);
        Api.refusesBadAdaptiveSettings("/v1/limits/{key}", key);
        given().get("/v1/limits").then().statusCode(200)
                .body("find { it.key == '" + key + "' }.max_running", equalTo(2),
                        "find { it.key == '" + key + "' }.adaptive", nullValue(),
                        "find { it.key == '" + key + "' }.runtime.adaptive", nullValue());
        given().delete("/v1/limits/{key}", key).then().statusCode(204);
    }

    /** A gauge's value on {@code /q/metrics}, or -1 when it is not served. */
    private static double gauge(String name) {
        Matcher gauge = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(given().get("/q/metrics").asString());
        return gauge.find() ? Double.parseDouble(gauge.group(1)) : -1;
    }

    @Test
    void badKeysAndLimitsAre400NamingTheFieldAndChangeNothing() {
        String type = unique("bad");
        json().body(Map.of("type", type, "rate_key", "a\u0007b")).post("/v1/tasks")
                .then().statusCode(400).body("message", containsString("rate_key"));
        json().body(Map.of("type", type, "concurrency_key", "k".repeat(129))).post("/v1/tasks")
                .then().statusCode(400).body("message", containsString("concurrency_key"));
        json().body(Map.of("type", type, "rate_key", "k", "cost", 0)).post("/v1/tasks")
                .then().statusCode(400).body("message", containsString("cost"));
        json().body(Map.of("tasks", java.util.List.of(Map.of("type", type, "cost", -3)))).post("/v1/tasks/batch")
                .then().statusCode(400).body("message", containsString("cost"));
        String key = unique("lim");
        json().body(Map.of("rate", -5, "window", "1m")).put("/v1/limits/{key}", key)
                .then().statusCode(400).body("message", containsString("rate"));
        json().body(Map.of("rate", 5, "window", "-1m")).put("/v1/limits/{key}", key)
                .then().statusCode(400).body("message", containsString("window"));
        json().body(Map.of("max_running", 0)).put("/v1/limits/{key}", key)
                .then().statusCode(400).body("message", containsString("max_running"));
        json().body(Map.of("max_running", 1)).put("/v1/limits/{key}", "k".repeat(129))
                .then().statusCode(400).body("message", containsString("key"));
        json().body(Map.of()).put("/v1/limits/{key}", key)
                .then().statusCode(400).body("message", containsString("rate"));
        given().get("/v1/limits").then().statusCode(200).body("key", not(hasItem(key)));
        given().get("/v1/tasks?type={t}", type).then().statusCode(200).body("tasks.size()", equalTo(0));
    }
}
