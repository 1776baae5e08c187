package dev.baton.api;

import static dev.baton.api.Api.json;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
@WithTestResource(RedisTestResource.class)
class TaskApiTest {

    @Test
    void submitAnswers201WithLocationAndTheQueuedTask() {
        String type = unique("t");
        var created = json().body(Map.of("type", type, "priority", "HIGH", "description", "fix it",
                        "payload", Map.of("repo", "baton", "n", 3)))
                .post("/v1/tasks")
                .then().statusCode(201)
                .body("status", equalTo("PENDING"), "priority", equalTo("HIGH"), "payload.repo", equalTo("baton"),
                        "queue_position", equalTo(0), "attempt", equalTo(0), "created_at", notNullValue())
                .extract();
        String id = created.path("id");
        assertThat(created.header("Location"), endsWith("/v1/tasks/" + id));
        given().get("/v1/tasks/{id}", id).then().statusCode(200)
                .body("id", equalTo(id), "type", equalTo(type), "description", equalTo("fix it"), "payload.n", equalTo(3));
    }

    @Test
    void theSameIdWithTheSameBodyIsAnIdempotentRetry() {
        String type = unique("t");
        String id = unique("job");
        Map<String, Object> body = Map.of("id", id, "type", type, "payload", Map.of("a", 1));
        json().body(body).post("/v1/tasks").then().statusCode(201).header("Location", endsWith("/v1/tasks/" + id));
        json().body(body).post("/v1/tasks").then().statusCode(200).body("id", equalTo(id));
        given().get("/v1/tasks?type={t}", type).then().body("tasks", hasSize(1));

        json().body(Map.of("id", id, "type", type, "payload", Map.of("a", 2))).post("/v1/tasks")
                .then().statusCode(409).body("error", equalTo("id_conflict"), "message", containsString(id));
    }

    @Test
    void queuePositionCountsTheTasksHandedOutBefore() {
        String type = unique("t");
        String low = submit(type, "LOW");
        String first = submit(type, "MEDIUM");
        String second = submit(type, "MEDIUM");
        String high = submit(type, "HIGH");
        given().get("/v1/tasks/{id}", high).then().body("queue_position", equalTo(0));
        given().get("/v1/tasks/{id}", first).then().body("queue_position", equalTo(1));
        given().get("/v1/tasks/{id}", second).then().body("queue_position", equalTo(2));
        given().get("/v1/tasks/{id}", low).then().body("queue_position", equalTo(3));
    }

    @Test
    void theListFiltersAndPages() {
        String type = unique("t");
        List<String> ids = List.of(submit(type, "LOW"), submit(type, "LOW"), submit(type, "LOW"));
        given().post("/v1/tasks/{id}/cancel", ids.get(1)).then().statusCode(200);

        var page1 = given().get("/v1/tasks?type={t}&limit=2", type).then().statusCode(200)
                .body("tasks", hasSize(2)).extract();
        String after = page1.path("next_after");
        given().get("/v1/tasks?type={t}&limit=2&after={a}", type, after).then()
                .body("tasks.id", equalTo(List.of(ids.get(2))), "next_after", nullValue());
        given().get("/v1/tasks?type={t}&status=cancelled", type).then().body("tasks.id", equalTo(List.of(ids.get(1))));
        given().get("/v1/tasks?type={t}&status=PENDING", type).then().body("tasks.id", equalTo(List.of(ids.get(0), ids.get(2))));
    }

    @Test
    void cancelEndsAPendingTaskAndRepeatingItIsHarmless() {
        String id = submit(unique("t"), "MEDIUM");
        given().post("/v1/tasks/{id}/cancel", id).then().statusCode(200)
                .body("status", equalTo("CANCELLED"), "duplicate", equalTo(false), "completed_at", notNullValue());
        given().post("/v1/tasks/{id}/cancel", id).then().statusCode(200).body("duplicate", equalTo(true));
        given().post("/v1/tasks/{id}/retry", id).then().statusCode(409)
                .body("error", equalTo("illegal_transition"), "message", containsString("CANCELLED"));
    }

    @Test
    void aDelayedTaskWaitsScheduledUntilRunAt() {
        String type = unique("t");
        String agent = unique("a");
        Api.registerAgent(agent, 1, type);
        Instant runAt = TestClock.INSTANCE.instant().plus(Duration.ofMinutes(10));
        String id = json().body(Map.of("type", type, "run_at", runAt.toString())).post("/v1/tasks")
                .then().statusCode(201).body("status", equalTo("SCHEDULED")).extract().path("id");
        Api.claimNow(agent).then().statusCode(204);

        TestClock.advance(Duration.ofMinutes(11));
        Api.awaitStatus(id, "PENDING");
        Api.claimNow(agent).then().statusCode(200).body("tasks[0].id", equalTo(id));
    }

    @Test
    void unknownTasksAre404() {
        given().get("/v1/tasks/nope").then().statusCode(404)
                .body("error", equalTo("task_not_found"), "message", containsString("nope"));
        given().post("/v1/tasks/nope/cancel").then().statusCode(404).body("error", equalTo("task_not_found"));
        given().post("/v1/tasks/nope/retry").then().statusCode(404).body("error", equalTo("task_not_found"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed JSON         | {\"type\": \"x\",                          | malformed JSON",
        "not an object          | [1, 2]                                    | malformed request body",
        "missing type           | {\"priority\": \"HIGH\"}                  | type: is required",
        "blank type             | {\"type\": \" \"}                         | type: is required",
        "number as type         | {\"type\": 5}                             | type: wrong type",
        "unknown priority       | {\"type\": \"x\", \"priority\": \"URGENT\"} | priority: unknown value 'URGENT'",
        "unknown field          | {\"type\": \"x\", \"colour\": \"red\"}     | colour: unknown field",
        "string as max_retries  | {\"type\": \"x\", \"max_retries\": \"3\"}  | max_retries: wrong type",
        "negative max_retries   | {\"type\": \"x\", \"max_retries\": -1}     | max_retries: must be 0 or more",
        "payload not an object  | {\"type\": \"x\", \"payload\": [1]}        | payload: must be a JSON object",
        "run_at not an instant  | {\"type\": \"x\", \"run_at\": \"soon\"}    | run_at: wrong type",
        "unknown dependency     | {\"type\": \"x\", \"depends_on\": [\"ghost\"]} | depends_on: unknown task ids [ghost]",
        "ref outside a batch    | {\"type\": \"x\", \"ref\": \"r\"}       | ref: is only used inside a batch",
        "bad dependency policy  | {\"type\": \"x\", \"depends_on\": [], \"on_dependency_failure\": \"maybe\"} | on_dependency_failure",
        "huge run_at            | {\"type\": \"h\", \"run_at\": 1e300}                     | run_at: wrong type",
        "numeric run_at         | {\"type\": \"h\", \"run_at\": 1700000000}                | run_at: wrong type",
        "numeric run_at text    | {\"type\": \"h\", \"run_at\": \"2\"}                    | run_at: wrong type",
        "run_at past year 9999  | {\"type\": \"h\", \"run_at\": \"+1000000000-01-01T00:00:00Z\"} | run_at: must be between",
        "priority as a number   | {\"type\": \"h\", \"priority\": 0}                       | priority:",
        "priority in lower case | {\"type\": \"h\", \"priority\": \"high\"}               | priority: unknown value 'high'",
        "priority with a space  | {\"type\": \"h\", \"priority\": \"HIGH \"}              | priority: unknown value 'HIGH '",
        "fractional max_retries | {\"type\": \"h\", \"max_retries\": 1.5}                  | max_retries: wrong type",
        "huge max_retries       | {\"type\": \"h\", \"max_retries\": 9999999999999999999}  | max_retries",
        "id ..                  | {\"type\": \"h\", \"id\": \"..\"}                      | id: must not be '..'",
        "id .                   | {\"type\": \"h\", \"id\": \".\"}                       | id: must not be '.'",
        "id with braces         | {\"type\": \"h\", \"id\": \"{x}\"}                     | id: has '{' at position 0",
        "id with a surrogate    | {\"type\": \"h\", \"id\": \"a\\ud800\"}               | id: has U+D800 at position 1",
        "id with a slash        | {\"type\": \"h\", \"id\": \"a/b\"}                     | id: has '/' at position 1",
        "dependency ..          | {\"type\": \"h\", \"depends_on\": [\"..\"]}            | depends_on[0]: must not be '..'",
        "type with a space      | {\"type\": \"a b\"}                                  | type: has ' ' at position 1",
        "payload surrogate      | {\"type\": \"h\", \"payload\": {\"k\": \"\\udc00\"}}   | payload: is not valid Unicode",
        "description surrogate  | {\"type\": \"h\", \"description\": \"\\ud800\"}        | description: is not valid Unicode",
        "trailing garbage       | {\"type\": \"h\"} x                                   | malformed",
        "a second document      | {\"type\": \"h\"} {\"type\": \"h\"}                    | Trailing token",
        "duplicate key          | {\"type\": \"h\", \"type\": \"i\"}                    | Duplicate field 'type'",
        "not an object          | \"h\"                                                | malformed request body",
    })
    void badSubmissionsAre400NamingTheProblemAndChangeNothing(String name, String body, String message) {
        long before = submittedSoFar();
        given().contentType(ContentType.JSON).body(body).post("/v1/tasks")
                .then().statusCode(400).body("error", equalTo("invalid_request"), "message", containsString(message));
        assertEquals(before, submittedSoFar(), "a refused submit must not create a task");
    }

    @Test
    void anEmptyBodyIs400() {
        given().contentType(ContentType.JSON).post("/v1/tasks")
                .then().statusCode(400).body("message", containsString("body: is required"));
    }

    @Test
    void badQueryParametersAre400() {
        given().get("/v1/tasks?status=DONE").then().statusCode(400).body("message", containsString("status: unknown value 'DONE'"));
        given().get("/v1/tasks?limit=0").then().statusCode(400).body("message", containsString("limit: must be between 1 and 1000"));
        given().get("/v1/tasks?limit=ten").then().statusCode(400).body("message", containsString("limit: must be a whole number"));
    }

    @Test
    void theWrongMediaTypeAndMethodAreRefused() {
        given().contentType(ContentType.TEXT).body("type=x").post("/v1/tasks")
                .then().statusCode(415).body("error", equalTo("unsupported_media_type"));
        given().delete("/v1/tasks").then().statusCode(405).body("error", equalTo("method_not_allowed"));
    }

    private static long submittedSoFar() {
        return given().get("/v1/stats").then().statusCode(200).extract().<Number>path("throughput.submitted").longValue();
    }
}
