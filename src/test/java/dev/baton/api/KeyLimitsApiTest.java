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
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.api.Api.Lease;
import dev.baton.testing.RedisTestResource;
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
