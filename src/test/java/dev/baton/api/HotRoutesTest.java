package dev.baton.api;

import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.engine.BatchResult;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskAttempt;
import dev.baton.engine.TaskStatus;
import dev.baton.engine.TaskView;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hot routes ({@link HotRoutes}) answer exactly as the JAX-RS resources behind them. A path
 * with a percent-encoded character is passed on to JAX-RS, which decodes it to the same id: each
 * request here is sent both ways and the status, the content type, {@code Retry-After} and the
 * body must be the same.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class HotRoutesTest {

    private static final Pattern KEY = Pattern.compile("\"([a-z_]+)\":");

    @Test
    void leaseCallRefusalsAreTheSameBytesOnBothPaths() {
        Api.Lease claimed = Api.Setup.of("MEDIUM").claim();
        String id = claimed.taskId();
        String lease = claimed.leaseId();
        String quoted = "\"" + lease + "\"";
        for (String call : List.of("heartbeat", "complete", "fail")) {
            String error = call.equals("fail") ? ",\"error\":\"x\"" : "";
            same(call, "nope-" + id, "{\"lease_id\":" + quoted + error + "}", 404);
            same(call, id, "{\"lease_id\":" + quoted + ",", 400);
            same(call, id, "{\"lease_id\":" + quoted + ",\"bogus\":1}", 400);
            same(call, id, "{\"lease_id\":7}", 400);
            same(call, id, "{\"lease_id\":" + quoted + "} []", 400);
            same(call, id, "{\"lease_id\":" + quoted + ",\"lease_id\":" + quoted + "}", 400);
            same(call, id, "{}", 400);
            same(call, id, "null", 400);
            same(call, id, "[]", 400);
            same(call, id, "{\"lease_id\":\"stale\"" + error + "}", 409);
            same(call, id, "{\"lease_id\":" + quoted + error + ",\"agent_id\":\"someone-else\"}", 409);
        }
        same("heartbeat", id, "{\"lease_id\":" + quoted + ",\"progress\":101}", 400);
        same("heartbeat", id, "{\"lease_id\":" + quoted + ",\"progress\":\"5\"}", 400);
        same("complete", id, "{\"lease_id\":" + quoted + ",\"result\":{\"k\":\"\\ud800\"}}", 400);
        same("fail", id, "{\"lease_id\":" + quoted + "}", 400);
        same("fail", id, "{\"lease_id\":" + quoted + ",\"error\":\"x\",\"retryable\":\"no\"}", 400);
    }

    @Test
    void aRepeatedCompleteAndCallsOnAFinishedTaskAreTheSameBytesOnBothPaths() {
        Api.Lease claimed = Api.Setup.of("HIGH").claim();
        String id = claimed.taskId();
        String lease = claimed.leaseId();
        String body = "{\"lease_id\":\"" + lease + "\",\"result\":{\"n\":[1,2.5,\"é\",null,{\"deep\":true}]}}";
        given().contentType(ContentType.JSON).body(body).post("/v1/tasks/{id}/complete", id).then().statusCode(200);
        same("complete", id, body, 200);
        same("heartbeat", id, "{\"lease_id\":\"" + lease + "\"}", 409);
        same("fail", id, "{\"lease_id\":\"" + lease + "\",\"error\":\"late\"}", 409);
    }

    @Test
    void claimsAnswerTheSameOnBothPaths() {
        String type = unique("t");
        String agent = unique("a");
        String twin = unique("a");
        registerAgent(agent, 1, type);
        registerAgent(twin, 1, type);
        sameClaim("nope-" + agent, "", 404);
        sameClaim(agent, "?max=0", 400);
        sameClaim(agent, "?wait_ms=soon", 400);
        sameClaim(agent, "?wait_ms=-1", 400);
        sameClaim(agent, "?max=1&wait_ms=0", 204);
        sameClaim(agent, "?wait_ms=20", 204);
        sameClaim(agent, "?max=1&max=0", 204); // the first of each name
        sameClaim(agent, "?max=0&max=1", 400);
        sameClaim(agent, "?wait_ms=20&max=2&other=x", 204);
        sameClaim(agent, "?maxx=0&max=1", 204);
        sameClaim(agent, "?max=&wait_ms=", 204);
        sameClaim(agent, "?max=1&wait_ms=-5", 400);
        sameClaim(agent, "?max", 204);
        submit(type, "LOW");
        submit(type, "LOW");
        Response fast = given().post("/v1/agents/" + agent + "/claim?max=1");
        Response slow = given().urlEncodingEnabled(false).post("/v1/agents/" + encodedFirst(twin) + "/claim?max=1");
        assertEquals(200, fast.statusCode());
        assertEquals(200, slow.statusCode());
        assertEquals(slow.contentType(), fast.contentType());
        assertEquals(keys(slow.asString()), keys(fast.asString()), "the same fields in the same order");
    }

    @Inject
    ObjectMapper json;

    @Inject
    Router router;

    /** A route with a path parameter is a regular expression Vert.x matches, path before method, on every request that reaches it. */
    @Test
    void noPatternRouteComesBeforeTheHotRoutes() {
        List<Route> routes = router.getRoutes();
        int lastHot = -1;
        int firstPattern = Integer.MAX_VALUE;
        for (int i = 0; i < routes.size(); i++) {
            Route route = routes.get(i);
            if (route.methods() != null && route.methods().equals(Set.of(HttpMethod.POST)) && route.getPath() != null
                    && route.getPath().startsWith("/v1/")) {
                lastHot = i;
            }
            if (route.isRegexPath()) {
                firstPattern = Math.min(firstPattern, i);
            }
        }
        assertTrue(lastHot >= 0, "the hot routes are installed");
        assertTrue(firstPattern > lastHot, "a pattern route at " + firstPattern + ", the last hot route at " + lastHot);
    }

    @Test
    void theHandWrittenAnswersAreTheBytesJacksonWrites() throws Exception {
        String odd = "quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f nul \u0000 us \u001f del \u007f é 雪 😀 \u2028";
        TaskView full = new TaskView("t-1", odd, odd, Priority.HIGH, Priority.LOW, "{\"a\": [1, 2.50, \"x\"]}",
                List.of("d-1", odd), List.of("d-1"), true, TaskStatus.IN_PROGRESS, "agent-" + odd, 2, 3, 1, 1, 40, odd,
                "[1,{\"r\":null}]", odd, 1_700_000_000_001L, 1_700_000_000_000L, 1_700_000_000_100L, 1_700_000_001_000L,
                7, 1_700_000_060_000L, true, 5L, "https://a.hooks.test/done?q=" + odd,
                List.of(new TaskAttempt(1, "agent-" + odd, 1_700_000_000_050L, 1_700_000_000_060L, TaskAttempt.Outcome.FAILED, odd),
                        new TaskAttempt(2, "a-2", 1_700_000_000_070L, 1_700_000_000_080L, TaskAttempt.Outcome.EXPIRED, "lease expired"),
                        new TaskAttempt(3, "a-3", 1_700_000_000_100L, null, null, null)),
                List.of("child-1", odd), "openai:" + odd, 250, "tenant-" + odd, "openai:" + odd);
        TaskView sparse = new TaskView("t-2", "type", null, Priority.CRITICAL, Priority.CRITICAL, null,
                List.of(), List.of(), false, TaskStatus.PENDING, null, 0, 0, 0, 0, 0, null,
                null, null, null, 0L, null, null, null, null, false, null, List.of(), List.of());
        TaskView early = new TaskView("t-3", "type", null, Priority.LOW, Priority.LOW, "{}", List.of("d-1"), List.of(), false,
                TaskStatus.COMPLETED, "a", 1, 3, 0, 0, 100, null, "7", null, null, -1_500L, -999L, 253_402_300_800_000L, null, null, false,
                null, null, List.of(new TaskAttempt(1, "a", -999L, 253_402_300_800_001L, TaskAttempt.Outcome.COMPLETED, null)),
                List.of(), null, 1, null, null); // before 1970 and after 9999: Instant's own text
        for (TaskView view : List.of(full, sparse, early)) {
            TaskResource.Outcome outcome = new TaskResource.Outcome(TaskJson.of(view), view == full);
            assertEquals(json.writeValueAsString(outcome), WireJson.outcome(view, view == full).toString());
            assertEquals(json.writeValueAsString(TaskJson.of(view)), WireJson.task(view).toString());
        }
        List<ClaimedTask> claimed = List.of(new ClaimedTask(full, "lease-" + odd, 1L), new ClaimedTask(sparse, "l2", 2L));
        assertEquals(json.writeValueAsString(ClaimedTaskJson.Batch.of(claimed)), WireJson.claimed(claimed).toString());
        LeaseResource.HeartbeatJson beat = new LeaseResource.HeartbeatJson(Instant.ofEpochMilli(1_700_000_000_000L), true, "IN_PROGRESS");
        assertEquals(json.writeValueAsString(beat), WireJson.heartbeat(beat).toString());
        List<BatchResult.Member> members = List.of(new BatchResult.Member(null, "t-1", TaskStatus.PENDING, true),
                new BatchResult.Member(odd, "t-2", TaskStatus.WAITING, false));
        assertEquals(json.writeValueAsString(new TaskResource.BatchJson(members)), WireJson.batch(members).toString());
        CompleteMany.Answers answers = new CompleteMany.Answers(List.of(
                new CompleteMany.Answer("t-1", 200, "COMPLETED", true, null, null),
                new CompleteMany.Answer(odd, 409, null, null, "lease_expired", odd)));
        assertEquals(json.writeValueAsString(answers), WireJson.completedMany(answers).toString());
        ErrorBody error = new ErrorBody("invalid_request", odd);
        assertEquals(json.writeValueAsString(error), WireJson.error(error).toString());
    }

    @Test
    void submitsAnswerTheSameOnBothPaths() {
        String type = unique("t");
        String id = unique("task");
        String body = "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"payload\":{\"k\":[1,\"é\"]},\"priority\":\"HIGH\"}";
        Response created = given().contentType(ContentType.JSON).body(body).post("/v1/tasks");
        assertEquals(201, created.statusCode());
        sameSubmit(body, 200);
        sameSubmit(body.replace("HIGH", "LOW"), 409);
        sameSubmit("{\"type\":\"" + type + "\",\"bogus\":1}", 400);
        sameSubmit("{\"type\":\"" + type + "\",\"priority\":\"high\"}", 400);
        sameSubmit("{\"type\":\"" + type + "\",\"run_at\":1700000000}", 400);
        sameSubmit("{\"type\":\"" + type + "\",\"payload\":[1]}", 400);
        sameSubmit("{\"type\":\"" + type + "\",\"ref\":\"r\"}", 400);
        sameSubmit("{\"type\":\"" + type + "\",\"depends_on\":[\"nope-" + id + "\"]}", 400);
        sameSubmit("{\"priority\":\"LOW\"}", 400);
        sameSubmit("{\"type\":5}", 400);
        sameSubmit("{\"type\":\"" + type + "\",\"callback_url\":\"http://example.com/hook\"}", 400);
        sameSubmit("{\"type\":\"" + type + "\",\"callback_url\":7}", 400);
        String hooked = "{\"id\":\"" + unique("task") + "\",\"type\":\"" + type + "\",\"callback_url\":\"https://a.hooks.test/x\"}";
        assertEquals(201, given().contentType(ContentType.JSON).body(hooked).post("/v1/tasks").statusCode());
        sameSubmit(hooked, 200);
        Response fast = given().contentType(ContentType.JSON).body("{\"type\":\"" + type + "\"}").post("/v1/tasks");
        Response slow = given().contentType(ContentType.JSON).header("Accept", JAX_RS_ACCEPT).body("{\"type\":\"" + type + "\"}").post("/v1/tasks");
        assertEquals(201, fast.statusCode());
        assertEquals(201, slow.statusCode());
        assertEquals(slow.contentType(), fast.contentType());
        assertEquals(keys(slow.asString()), keys(fast.asString()), "the same fields in the same order");
        assertEquals(slow.header("Location").replace(slow.path("id"), "ID"), fast.header("Location").replace(fast.path("id"), "ID"));
        // the hot route writes the URI itself for a plain Host, and keeps it per event loop for the next call with that Host
        for (String host : new String[] {"example.com", "example.com:80", "example.com:8080", "example.com:8080", "Other.Example:080",
            "10.1.2.3:443", "[::1]:9000", "[::1]", "a_b.example", "example.com:80", "example.com"}) {
            String task = "{\"type\":\"" + type + "\"}";
            Response hot = given().header("Host", host).contentType(ContentType.JSON).body(task).post("/v1/tasks");
            Response jaxRs = given().header("Host", host).contentType(ContentType.JSON).header("Accept", JAX_RS_ACCEPT).body(task)
                    .post("/v1/tasks");
            assertEquals(201, hot.statusCode(), host);
            assertEquals(201, jaxRs.statusCode(), host);
            assertEquals(jaxRs.header("Location").replace(jaxRs.path("id"), "ID"), hot.header("Location").replace(hot.path("id"), "ID"),
                    "Host: " + host);
        }
    }

    @Test
    void batchesAndCompleteManyAnswerTheSameOnBothPaths() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 2, type);
        String id = unique("task");
        String batch = "{\"tasks\":[{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"payload\":{\"k\":1}},"
                + "{\"ref\":\"r\",\"type\":\"" + type + "\"},{\"type\":\"" + type + "\",\"depends_on\":[\"r\"]}]}";
        Response created = given().contentType(ContentType.JSON).body(batch).post("/v1/tasks/batch");
        assertEquals(201, created.statusCode());
        Response slowCreated = given().contentType(ContentType.JSON).header("Accept", JAX_RS_ACCEPT)
                .body(batch.replace(id, id + "-2")).post("/v1/tasks/batch");
        assertEquals(201, slowCreated.statusCode());
        assertEquals(slowCreated.contentType(), created.contentType());
        assertEquals(keys(slowCreated.asString()), keys(created.asString()), "the same fields in the same order");
        String repeat = "{\"tasks\":[{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"payload\":{\"k\":1}}]}";
        sameBatch(repeat, 200);
        sameBatch(repeat.replace("\"k\":1", "\"k\":2"), 409);
        sameBatch("{\"tasks\":[{\"ref\":\"p\",\"type\":\"t\",\"depends_on\":[\"p\"]}]}", 400);
        sameBatch("{\"tasks\":[{\"type\":\"t\"},null]}", 400);
        sameBatch("{\"tasks\":[]}", 400);
        sameBatch("{\"tasks\":{}}", 400);
        sameBatch("{}", 400);

        Response claimed = given().post("/v1/agents/" + agent + "/claim?max=2");
        List<String> ids = claimed.path("tasks.id");
        List<String> leases = claimed.path("tasks.lease_id");
        String done = "{\"tasks\":[{\"task_id\":\"" + ids.get(0) + "\",\"lease_id\":\"" + leases.get(0) + "\",\"result\":[1,\"é\"]},"
                + "{\"task_id\":\"" + ids.get(1) + "\",\"lease_id\":\"stale\"},{\"task_id\":\"nope-" + id + "\",\"lease_id\":\"l\"}]}";
        given().contentType(ContentType.JSON).body(done).post("/v1/agents/" + agent + "/complete").then().statusCode(200);
        sameCompleteMany(agent, done, 200);
        sameCompleteMany(unique("other"), done, 200);
        sameCompleteMany(agent, "{\"tasks\":[{\"task_id\":\"x\"}]}", 400);
        sameCompleteMany(agent, "{\"tasks\":[{\"task_id\":\"x\",\"lease_id\":\"l\",\"result\":\"\\ud800\"}]}", 400);
        sameCompleteMany(agent, "{\"tasks\":[{\"lease_id\":\"l\"}]}", 400);
        sameCompleteMany(agent, "{\"tasks\":[null]}", 400);
        sameCompleteMany(agent, "{\"tasks\":[]}", 400);
        sameCompleteMany(agent, "[]", 400);
        sameCompleteMany(agent, "null", 400);
    }

    private static void sameBatch(String body, int status) {
        Response fast = given().contentType(ContentType.JSON).body(body).post("/v1/tasks/batch");
        Response slow = given().contentType(ContentType.JSON).header("Accept", JAX_RS_ACCEPT).body(body).post("/v1/tasks/batch");
        compare("batch " + body, fast, slow, status);
    }

    private static void sameCompleteMany(String agent, String body, int status) {
        Response fast = given().urlEncodingEnabled(false).contentType(ContentType.JSON).body(body).post("/v1/agents/" + agent + "/complete");
        Response slow = given().urlEncodingEnabled(false).contentType(ContentType.JSON).body(body)
                .post("/v1/agents/" + encodedFirst(agent) + "/complete");
        compare("complete many " + body, fast, slow, status);
    }

    /** An {@code Accept} header the hot routes pass on to JAX-RS (which takes it as JSON). */
    private static final String JAX_RS_ACCEPT = "application/json, */*";

    private static void sameSubmit(String body, int status) {
        Response fast = given().contentType(ContentType.JSON).body(body).post("/v1/tasks");
        Response slow = given().contentType(ContentType.JSON).header("Accept", JAX_RS_ACCEPT).body(body).post("/v1/tasks");
        compare("submit " + body, fast, slow, status);
    }

    private static void same(String call, String id, String body, int status) {
        Response fast = given().contentType(ContentType.JSON).body(body).post("/v1/tasks/" + id + "/" + call);
        Response slow = given().urlEncodingEnabled(false).contentType(ContentType.JSON).body(body)
                .post("/v1/tasks/" + encodedFirst(id) + "/" + call);
        compare(call + " " + body, fast, slow, status);
    }

    private static void sameClaim(String agent, String query, int status) {
        Response fast = given().urlEncodingEnabled(false).post("/v1/agents/" + agent + "/claim" + query);
        Response slow = given().urlEncodingEnabled(false).post("/v1/agents/" + encodedFirst(agent) + "/claim" + query);
        compare("claim" + query, fast, slow, status);
    }

    private static void compare(String what, Response fast, Response slow, int status) {
        assertEquals(status, slow.statusCode(), what + ": JAX-RS " + slow.asString());
        assertEquals(status, fast.statusCode(), what + ": hot route " + fast.asString());
        assertEquals(slow.header("Content-Type"), fast.header("Content-Type"), what);
        assertEquals(slow.header("Retry-After"), fast.header("Retry-After"), what);
        assertEquals(slow.asString(), fast.asString(), what);
    }

    /** The id with its first character percent-encoded: the same id to JAX-RS, and not a hot route's path. */
    private static String encodedFirst(String id) {
        return String.format("%%%02X", (int) id.charAt(0)) + id.substring(1);
    }

    private static List<String> keys(String json) {
        List<String> keys = new ArrayList<>();
        Matcher m = KEY.matcher(json);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }
}
