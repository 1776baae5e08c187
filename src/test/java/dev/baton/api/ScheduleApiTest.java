package dev.baton.api;

import static dev.baton.api.Api.json;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Recurring tasks through real HTTP: {@code /v1/schedules}, firing on the server's own ticker. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class ScheduleApiTest {

    static Map<String, Object> body(String id, String type) {
        Map<String, Object> body = new HashMap<>();
        body.put("id", id);
        body.put("cron", "0 3 * * *");
        body.put("time_zone", "Europe/Paris");
        body.put("catch_up", "one");
        body.put("template", Map.of("type", type, "priority", "HIGH", "payload", Map.of("report", "daily"),
                "description", "the nightly report", "max_retries", 1));
        return body;
    }

    @Test
    void aScheduleIsCreatedShownChangedPausedAndDeleted() {
        String id = unique("nightly");
        String type = unique("report");
        Map<String, Object> body = body(id, type);
        json().body(body).post("/v1/schedules").then().statusCode(201)
                .header("Location", endsWith("/v1/schedules/" + id))
                .body("id", equalTo(id), "cron", equalTo("0 3 * * *"), "time_zone", equalTo("Europe/Paris"),
                        "catch_up", equalTo("one"), "paused", equalTo(false), "next_run", notNullValue(),
                        "template.type", equalTo(type), "template.priority", equalTo("HIGH"),
                        "template.payload.report", equalTo("daily"), "template.depends_on_previous", equalTo(false),
                        "last_runs", equalTo(List.of()), "last_tick", nullValue(), "every", nullValue());
        json().body(body).post("/v1/schedules").then().statusCode(200).body("id", equalTo(id));
        Map<String, Object> other = new HashMap<>(body);
        other.put("cron", "0 4 * * *");
        json().body(other).post("/v1/schedules").then().statusCode(409).body("error", equalTo("id_conflict"));

        given().get("/v1/schedules").then().statusCode(200).body("id", hasItem(id));
        given().get("/v1/schedules/{id}", id).then().statusCode(200).body("next_run", endsWith("T02:00:00Z"));

        other.remove("id");
        json().body(other).put("/v1/schedules/{id}", id).then().statusCode(200)
                .body("cron", equalTo("0 4 * * *"), "next_run", endsWith("T03:00:00Z"));
        json().post("/v1/schedules/{id}/pause", id).then().statusCode(200).body("paused", equalTo(true), "next_run", nullValue());
        json().post("/v1/schedules/{id}/resume", id).then().statusCode(200).body("paused", equalTo(false), "next_run", notNullValue());
        given().delete("/v1/schedules/{id}", id).then().statusCode(200).body("id", equalTo(id));
        given().get("/v1/schedules/{id}", id).then().statusCode(404).body("error", equalTo("schedule_not_found"));
        given().delete("/v1/schedules/{id}", id).then().statusCode(404);
        json().post("/v1/schedules/{id}/pause", id).then().statusCode(404);
        json().body(other).put("/v1/schedules/{id}", id).then().statusCode(404);
        given().get("/v1/schedules").then().body("id", not(hasItem(id)));
    }

    @Test
    void anIntervalFiresOneTaskPerTickOnTheServersTicker() {
        String id = unique("every");
        String type = unique("ping");
        json().body(Map.of("id", id, "every", "1s", "template", Map.of("type", type, "payload", Map.of("n", 1))))
                .post("/v1/schedules").then().statusCode(201).body("every", equalTo("1s"), "time_zone", equalTo("UTC"),
                        "catch_up", equalTo("skip"));
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/v1/schedules/{id}", id)
                .jsonPath().getList("last_runs").size() >= 2);
        json().post("/v1/schedules/{id}/pause", id).then().statusCode(200);
        List<String> runs = given().get("/v1/schedules/{id}", id).jsonPath().getList("last_runs.task_id");
        for (String task : runs) {
            assertTrue(task.startsWith("sched-" + id + "-"), task);
            given().get("/v1/tasks/{id}", task).then().statusCode(200).body("type", equalTo(type), "payload.n", equalTo(1));
        }
        assertEquals(runs.size(), runs.stream().distinct().count(), "one task per tick");
        List<String> tasks = given().queryParam("type", type).get("/v1/tasks").jsonPath().getList("tasks.id");
        assertTrue(tasks.containsAll(runs));
        long first = Long.parseLong(tasks.get(0).substring(tasks.get(0).lastIndexOf('-') + 1));
        for (int i = 0; i < tasks.size(); i++) {
            assertEquals("sched-" + id + "-" + (first + i), tasks.get(i), "one task per tick, each tick once: " + tasks);
        }
        given().get("/v1/schedules/{id}", id).then().body("last_tick", notNullValue());
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString()
                .contains("baton_schedule_runs_total{schedule=\"" + id + "\"}"));
        given().delete("/v1/schedules/{id}", id).then().statusCode(200);
    }

    @Test
    void aRunCanDependOnThePreviousRun() {
        String id = unique("chain");
        String type = unique("etl");
        json().body(Map.of("id", id, "every", "1s", "template", Map.of("type", type, "depends_on_previous", true)))
                .post("/v1/schedules").then().statusCode(201).body("template.depends_on_previous", equalTo(true));
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/v1/schedules/{id}", id)
                .jsonPath().getList("last_runs").size() >= 2);
        given().delete("/v1/schedules/{id}", id).then().statusCode(200);
        List<String> runs = given().get("/v1/tasks?type=" + type).jsonPath().getList("tasks.id");
        given().get("/v1/tasks/{id}", runs.get(1)).then().statusCode(200)
                .body("depends_on", equalTo(List.of(runs.get(0))), "on_dependency_failure", equalTo("run"),
                        "status", equalTo("WAITING"));
    }

    @Test
    void badInputIs400NamingTheFieldAndChangesNothing() {
        String id = unique("bad");
        Map<String, Object> good = body(id, "t");
        Map<String, String> wrong = new HashMap<>();
        wrong.put("cron", "61 * * * *");
        wrong.put("time_zone", "Mars/Olympus");
        wrong.put("catch_up", "some");
        wrong.put("id", "x".repeat(101));
        for (Map.Entry<String, String> field : wrong.entrySet()) {
            Map<String, Object> bad = new HashMap<>(good);
            bad.put(field.getKey(), field.getValue());
            json().body(bad).post("/v1/schedules").then().statusCode(400)
                    .body("error", equalTo("invalid_request"), "message", startsWith(field.getKey() + ":"));
        }
        Map<String, Object> both = new HashMap<>(good);
        both.put("every", "1m");
        json().body(both).post("/v1/schedules").then().statusCode(400).body("message", startsWith("every:"));
        for (String every : List.of("0s", "-5s", "500ms", "soon")) {
            Map<String, Object> interval = new HashMap<>(good);
            interval.remove("cron");
            interval.put("every", every);
            json().body(interval).post("/v1/schedules").then().statusCode(400).body("message", startsWith("every:"));
        }
        Map<String, Object> neither = new HashMap<>(good);
        neither.remove("cron");
        json().body(neither).post("/v1/schedules").then().statusCode(400).body("message", startsWith("cron:"));
        Map<String, Object> control = new HashMap<>(good);
        control.put("id", "a\u0001b");
        json().body(control).post("/v1/schedules").then().statusCode(400).body("message", startsWith("id:"));
        Map<String, Object> noTemplate = new HashMap<>(good);
        noTemplate.remove("template");
        json().body(noTemplate).post("/v1/schedules").then().statusCode(400).body("message", startsWith("template:"));
        Map<String, Object> badPayload = new HashMap<>(good);
        badPayload.put("template", Map.of("type", "t", "payload", List.of(1)));
        json().body(badPayload).post("/v1/schedules").then().statusCode(400).body("message", startsWith("template.payload:"));
        Map<String, Object> badRetries = new HashMap<>(good);
        badRetries.put("template", Map.of("type", "t", "max_retries", -1));
        json().body(badRetries).post("/v1/schedules").then().statusCode(400).body("message", startsWith("template.max_retries:"));
        Map<String, Object> unknownField = new HashMap<>(good);
        unknownField.put("colour", "red");
        json().body(unknownField).post("/v1/schedules").then().statusCode(400);
        given().get("/v1/schedules").then().body("id", not(hasItem(id)));

        json().body(good).post("/v1/schedules").then().statusCode(201);
        Map<String, Object> otherId = new HashMap<>(good);
        otherId.put("id", "other");
        json().body(otherId).put("/v1/schedules/{id}", id).then().statusCode(400).body("message", startsWith("id:"));
        Map<String, Object> badZone = new HashMap<>(good);
        badZone.put("time_zone", "Nowhere/Else");
        json().body(badZone).put("/v1/schedules/{id}", id).then().statusCode(400).body("message", startsWith("time_zone:"));
        given().get("/v1/schedules/{id}", id).then().body("time_zone", equalTo("Europe/Paris"));
        given().delete("/v1/schedules/{id}", id).then().statusCode(200);
    }
}
