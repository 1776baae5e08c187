package dev.baton.api;

import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
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
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class HotRoutesTest {

    private static final Pattern KEY = Pattern.compile("\"([a-z_]+)\":");

    @Test
    void leaseCallRefusalsAreTheSameBytesOnBothPaths() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String id = submit(type, "MEDIUM");
        String lease = given().post("/v1/agents/{id}/claim", agent).then().statusCode(200).extract().path("tasks[0].lease_id");
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
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String id = submit(type, "HIGH");
        String lease = given().post("/v1/agents/{id}/claim", agent).then().statusCode(200).extract().path("tasks[0].lease_id");
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
        submit(type, "LOW");
        submit(type, "LOW");
        Response fast = given().post("/v1/agents/" + agent + "/claim?max=1");
        Response slow = given().urlEncodingEnabled(false).post("/v1/agents/" + encodedFirst(twin) + "/claim?max=1");
        assertEquals(200, fast.statusCode());
        assertEquals(200, slow.statusCode());
        assertEquals(slow.contentType(), fast.contentType());
        assertEquals(keys(slow.asString()), keys(fast.asString()), "the same fields in the same order");
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
