package dev.baton.api;

import static dev.baton.api.Api.claimOne;
import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.fail;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.store.RespClient;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/analytics} fed by real tasks run through the API, and its snapshot in Redis. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class AnalyticsApiTest {

    @Test
    void aTypesFiguresCountWhatRanAndTheSnapshotReachesRedis() throws Exception {
        String type = unique("an");
        String agent = unique("worker");
        registerAgent(agent, 2, type);
        for (int i = 0; i < 3; i++) {
            submit(type, "HIGH");
        }
        for (int i = 0; i < 2; i++) {
            Api.Lease lease = claimOne(agent);
            complete(lease.taskId(), lease.leaseId()).then().statusCode(200);
        }
        Api.Lease last = claimOne(agent);
        fail(last.taskId(), last.leaseId(), false).then().statusCode(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath figures = given().get("/v1/analytics?type={t}&step=1h", type).then().statusCode(200).extract().jsonPath();
            assertEquals(3L, sum(figures.getList("points.submitted", Long.class)));
            assertEquals(2L, sum(figures.getList("points.completed", Long.class)));
            assertEquals(1L, sum(figures.getList("points.failed", Long.class)));
        });
        given().get("/v1/analytics?agent={a}&step=1h", agent).then().statusCode(200)
                .body("agent", equalTo(agent), "step_seconds", equalTo(3600),
                        "points.find { it.completed == 2 }.run_time_millis.count", equalTo(3),
                        "points.find { it.completed == 2 }.queue_wait_millis.p50", notNullValue());
        given().get("/v1/analytics").then().statusCode(200).body("points.size()", both(greaterThanOrEqualTo(60)).and(lessThanOrEqualTo(61)), "step_seconds", equalTo(60));

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Object value = RespClient.call(RedisTestResource.redis().port(), "HVALS", "{baton}:analytics:minutes");
            return value != null && value.toString().contains("S type:" + type);
        });
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("baton_task_run_time_seconds_count{type=\"" + type + "\"} 3.0"));
    }

    @Test
    void badQueriesAre400NamingTheParameter() {
        given().get("/v1/analytics?step=90s").then().statusCode(400).body("message", containsString("step"));
        given().get("/v1/analytics?step=banana").then().statusCode(400).body("message", containsString("step"));
        given().get("/v1/analytics?from=yesterday").then().statusCode(400).body("message", containsString("from"));
        given().get("/v1/analytics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z").then().statusCode(400)
                .body("message", containsString("before"));
        given().get("/v1/analytics?type=a&agent=b").then().statusCode(400).body("message", containsString("not both"));
        given().get("/v1/analytics?type=a%20b").then().statusCode(400).body("message", containsString("type"));
    }

    private static long sum(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).sum();
    }
}
