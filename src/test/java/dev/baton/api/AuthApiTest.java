package dev.baton.api;

import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Agent tokens bound to agent ids, lease holders, the viewer token, and paths that are not
 * canonical: all through real HTTP with tokens set.
 */
@QuarkusTest
@TestProfile(AuthApiTest.Tokens.class)
@WithTestResource(RedisTestResource.class)
class AuthApiTest {

    static final String PRODUCER = "producer-secret";
    static final String SHARED_AGENT = "shared-agent-secret";
    static final String ADMIN = "admin-secret";
    static final String VIEWER = "viewer-secret";
    static final String ALICE = "alice-secret";
    static final String BOB = "bob-secret";

    public static class Tokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "baton.auth.producer-token", PRODUCER,
                    "baton.auth.agent-token", SHARED_AGENT,
                    "baton.auth.admin-token", ADMIN,
                    "baton.auth.viewer-token", VIEWER,
                    "baton.auth.agent-tokens.alice.token", ALICE,
                    "baton.auth.agent-tokens.alice.agents", "alice-????????",
                    "baton.auth.agent-tokens.bob.token", BOB,
                    "baton.auth.agent-tokens.bob.agents", "bob-*");
        }
    }

    private static RequestSpecification as(String token) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token);
    }

    /** An agent registered with its own token, one task of a fresh type submitted, and its claim. */
    private record Running(String agent, String type, String taskId, String leaseId) {
        static Running as(String token, String agent) {
            String type = unique("t");
            AuthApiTest.as(token).body(Map.of("capabilities", List.of(type))).put("/v1/agents/{id}", agent)
                    .then().statusCode(200);
            String taskId = AuthApiTest.as(PRODUCER).body(Map.of("type", type)).post("/v1/tasks")
                    .then().statusCode(201).extract().path("id");
            String leaseId = AuthApiTest.as(token).post("/v1/agents/{id}/claim", agent)
                    .then().statusCode(200).body("tasks[0].id", equalTo(taskId)).extract().path("tasks[0].lease_id");
            return new Running(agent, type, taskId, leaseId);
        }
    }

    @Test
    void aBoundTokenCannotActAsAnotherAgentAndChangesNothing() {
        Running alice = Running.as(ALICE, unique("alice"));
        String other = AuthApiTest.as(PRODUCER).body(Map.of("type", alice.type())).post("/v1/tasks")
                .then().statusCode(201).extract().path("id");

        as(BOB).body(Map.of("capabilities", List.of("other"))).put("/v1/agents/{id}", alice.agent())
                .then().statusCode(403).body("error", equalTo("forbidden"), "message", containsString(alice.agent()));
        as(BOB).post("/v1/agents/{id}/claim", alice.agent())
                .then().statusCode(403).body("message", containsString(alice.agent()));
        as(BOB).delete("/v1/agents/{id}", alice.agent())
                .then().statusCode(403).body("message", containsString(alice.agent()));
        as(BOB).body(Map.of("lease_id", alice.leaseId(), "progress", 50)).post("/v1/tasks/{id}/heartbeat", alice.taskId())
                .then().statusCode(403).body("error", equalTo("forbidden"), "message", containsString(alice.agent()));
        as(BOB).body(Map.of("lease_id", alice.leaseId(), "result", Map.of("by", "bob"))).post("/v1/tasks/{id}/complete", alice.taskId())
                .then().statusCode(403).body("message", containsString(alice.agent()));
        as(BOB).body(Map.of("lease_id", alice.leaseId(), "error", "bob says no", "retryable", false))
                .post("/v1/tasks/{id}/fail", alice.taskId()).then().statusCode(403);

        // nothing changed: alice is as registered, her task still hers and unstarted, the other task still queued
        as(VIEWER).get("/v1/agents/{id}", alice.agent()).then().statusCode(200)
                .body("capabilities", equalTo(List.of(alice.type())));
        as(VIEWER).get("/v1/tasks/{id}", alice.taskId()).then().statusCode(200)
                .body("status", equalTo("ASSIGNED"), "assigned_agent", equalTo(alice.agent()));
        as(VIEWER).get("/v1/tasks/{id}", other).then().statusCode(200).body("status", equalTo("PENDING"));
        as(ALICE).body(Map.of("lease_id", alice.leaseId(), "result", Map.of("by", "alice")))
                .post("/v1/tasks/{id}/complete", alice.taskId())
                .then().statusCode(200).body("status", equalTo("COMPLETED"), "result.by", equalTo("alice"));

        // a bound token acts as its own agents only: alice's glob does not take bob's ids
        as(ALICE).body(Map.of("capabilities", List.of("x"))).put("/v1/agents/{id}", unique("bob"))
                .then().statusCode(403).body("message", containsString("'alice'"));
        as(ALICE).body(Map.of("capabilities", List.of("x"))).put("/v1/agents/{id}", "alice-toolong99")
                .then().statusCode(403);
    }

    @Test
    void onlyTheAdminTokenChangesTypesAndRunsBulkActions() {
        String type = unique("admin");
        for (String token : List.of(PRODUCER, SHARED_AGENT, VIEWER)) {
            as(token).body(Map.of("paused", true)).put("/v1/types/{type}", type).then().statusCode(403);
            as(token).body(Map.of("action", "cancel", "filter", Map.of("type", type))).post("/v1/tasks/bulk")
                    .then().statusCode(403);
        }
        as(VIEWER).get("/v1/types/{type}", type).then().statusCode(200).body("paused", equalTo(false));
        as(ADMIN).body(Map.of("paused", true)).put("/v1/types/{type}", type).then().statusCode(200).body("paused", equalTo(true));
        as(ADMIN).body(Map.of("action", "cancel", "filter", Map.of("type", type))).post("/v1/tasks/bulk")
                .then().statusCode(200).body("matched", equalTo(0));
    }

    @Test
    void onlyTheAdminTokenChangesSchedules() {
        String id = unique("sched");
        Map<String, Object> body = Map.of("id", id, "every", "1h", "template", Map.of("type", "t"));
        for (String token : List.of(PRODUCER, SHARED_AGENT, VIEWER)) {
            as(token).body(body).post("/v1/schedules").then().statusCode(403);
        }
        as(ADMIN).body(body).post("/v1/schedules").then().statusCode(201);
        as(VIEWER).get("/v1/schedules/{id}", id).then().statusCode(200).body("id", equalTo(id));
        for (String token : List.of(PRODUCER, SHARED_AGENT, VIEWER)) {
            as(token).body(body).put("/v1/schedules/{id}", id).then().statusCode(403);
            as(token).post("/v1/schedules/{id}/pause", id).then().statusCode(403);
            as(token).delete("/v1/schedules/{id}", id).then().statusCode(403);
        }
        as(ADMIN).delete("/v1/schedules/{id}", id).then().statusCode(200);
    }

    @Test
    void theSharedAgentTokenActsAsAnyAgent() {
        Running someone = Running.as(SHARED_AGENT, unique("alice"));
        as(SHARED_AGENT).body(Map.of("lease_id", someone.leaseId(), "result", Map.of("ok", true)))
                .post("/v1/tasks/{id}/complete", someone.taskId()).then().statusCode(200).body("status", equalTo("COMPLETED"));
        Running bob = Running.as(BOB, unique("bob"));
        as(SHARED_AGENT).body(Map.of("lease_id", bob.leaseId(), "result", Map.of("ok", true)))
                .post("/v1/tasks/{id}/complete", bob.taskId()).then().statusCode(200);
        as(SHARED_AGENT).delete("/v1/agents/{id}", bob.agent()).then().statusCode(200);
    }

    @Test
    void anAgentIdInTheBodyMustBeTheLeaseHolder() {
        Running bob = Running.as(BOB, unique("bob"));
        as(SHARED_AGENT).body(Map.of("lease_id", bob.leaseId(), "agent_id", "bob-impostor", "progress", 10))
                .post("/v1/tasks/{id}/heartbeat", bob.taskId())
                .then().statusCode(409).body("error", equalTo("lease_not_yours"), "message", containsString("bob-impostor"));
        as(SHARED_AGENT).body(Map.of("lease_id", bob.leaseId(), "agent_id", "bob-impostor", "result", Map.of()))
                .post("/v1/tasks/{id}/complete", bob.taskId()).then().statusCode(409).body("error", equalTo("lease_not_yours"));
        as(VIEWER).get("/v1/tasks/{id}", bob.taskId()).then().body("status", equalTo("ASSIGNED"), "progress", equalTo(0));
        as(BOB).body(Map.of("lease_id", bob.leaseId(), "agent_id", bob.agent(), "error", "flaky", "retryable", false))
                .post("/v1/tasks/{id}/fail", bob.taskId()).then().statusCode(200).body("status", equalTo("FAILED"));
    }

    @Test
    void theViewerReadsAndStreamsButEveryChangeIs403() throws IOException {
        Running bob = Running.as(BOB, unique("bob"));
        as(VIEWER).get("/v1/tasks/{id}", bob.taskId()).then().statusCode(200);
        as(VIEWER).get("/v1/tasks?type={t}", bob.type()).then().statusCode(200);
        as(VIEWER).get("/v1/agents").then().statusCode(200);
        as(VIEWER).get("/v1/agents/{id}", bob.agent()).then().statusCode(200);
        as(VIEWER).get("/v1/stats").then().statusCode(200);
        assertEquals(200, status("GET", "/v1/events", VIEWER));
        assertEquals(200, status("GET", "/v1/tasks/" + bob.taskId() + "/events", VIEWER));

        as(VIEWER).body(Map.of("type", bob.type())).post("/v1/tasks")
                .then().statusCode(403).body("error", equalTo("forbidden"), "message", containsString("viewer"));
        as(VIEWER).body(Map.of("tasks", List.of(Map.of("type", bob.type())))).post("/v1/tasks/batch").then().statusCode(403);
        as(VIEWER).post("/v1/tasks/{id}/cancel", bob.taskId()).then().statusCode(403);
        as(VIEWER).post("/v1/tasks/{id}/retry", bob.taskId()).then().statusCode(403);
        as(VIEWER).body(Map.of("capabilities", List.of("x"))).put("/v1/agents/{id}", bob.agent()).then().statusCode(403);
        as(VIEWER).post("/v1/agents/{id}/claim", bob.agent()).then().statusCode(403);
        as(VIEWER).delete("/v1/agents/{id}", bob.agent()).then().statusCode(403);
        as(VIEWER).body(Map.of("lease_id", bob.leaseId())).post("/v1/tasks/{id}/heartbeat", bob.taskId()).then().statusCode(403);
        as(VIEWER).body(Map.of("lease_id", bob.leaseId())).post("/v1/tasks/{id}/complete", bob.taskId()).then().statusCode(403);
        as(VIEWER).body(Map.of("lease_id", bob.leaseId(), "error", "x")).post("/v1/tasks/{id}/fail", bob.taskId()).then().statusCode(403);

        as(VIEWER).get("/v1/tasks/{id}", bob.taskId()).then().body("status", equalTo("ASSIGNED"));
        as(VIEWER).get("/v1/agents/{id}", bob.agent()).then().body("capabilities", equalTo(List.of(bob.type())));
    }

    /** Every route, as method and canonical path; {@code T} a task id, {@code A} an agent id. */
    private static final List<String> ROUTES = List.of(
            "GET /v1/tasks", "POST /v1/tasks", "POST /v1/tasks/batch", "GET /v1/tasks/T",
            "POST /v1/tasks/T/cancel", "POST /v1/tasks/T/retry", "POST /v1/tasks/T/heartbeat",
            "POST /v1/tasks/T/complete", "POST /v1/tasks/T/fail", "GET /v1/tasks/T/events", "GET /v1/events",
            "GET /v1/agents", "GET /v1/agents/A", "PUT /v1/agents/A", "DELETE /v1/agents/A", "POST /v1/agents/A/claim",
            "GET /v1/stats");
    private static final List<String> PUBLIC = List.of(
            "GET /q/health/live", "GET /q/health/ready", "GET /q/metrics", "GET /q/openapi");

    /** Ways to write a path that a naive reading takes for another path. */
    static List<String> tricks(String path) {
        String rest = path.substring(path.indexOf('/', 1)); // after the first segment
        String first = path.substring(0, path.indexOf('/', 1));
        return List.of(
                "/" + path, "//" + path, first + "/" + rest, "/." + path, first + "/." + rest, "/x/.." + path,
                first + "/.." + path, first + "%2F" + rest.substring(1), "/%2F" + path.substring(1),
                "/%2e" + path, "/%2E%2E" + path, first + "/%2e" + rest, path + "/.", path + "/..", path + "/",
                path + ";x=1", first + ";x=1" + rest, first + "\\" + rest.substring(1), path + "%00",
                first.toUpperCase() + rest, first + "/%74" + rest.substring(2), "http://localhost" + path,
                "http://localhost/" + path, path + "?x=/../..", "." + path, "*");
    }

    @Test
    void noPathTrickAnswers2xxWithoutATokenNor5xxWithOne() throws IOException {
        Running bob = Running.as(BOB, unique("bob"));
        List<String> failures = new ArrayList<>();
        for (String route : ROUTES) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1)
                    .replace("/T", "/" + bob.taskId()).replace("/A", "/" + bob.agent());
            assertEquals(401, status(method, path, null), route + " without a token");
            for (String trick : tricks(path)) {
                int anonymous = status(method, trick, null);
                if (anonymous < 400 || anonymous >= 500) {
                    failures.add(method + " " + trick + " without a token: " + anonymous);
                }
                int admin = status(method, trick, ADMIN);
                if (admin >= 500) {
                    failures.add(method + " " + trick + " with the admin token: " + admin);
                }
            }
        }
        for (String route : PUBLIC) {
            String path = route.substring(route.indexOf(' ') + 1);
            assertEquals(200, status("GET", path, null), route + " stays open");
            for (String trick : tricks(path)) {
                int anonymous = status("GET", trick, null);
                if (anonymous >= 500) {
                    failures.add("GET " + trick + ": " + anonymous);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void aPathThatIsNotCanonicalIs400EvenWithAToken() throws IOException {
        Running bob = Running.as(BOB, unique("bob"));
        for (String path : List.of("//v1/events", "///v1/events", "//v1/tasks/" + bob.taskId() + "/events",
                "/v1/./events", "/v1/x/../events", "/v1/%2e/events", "/v1%2Fevents", "/v1/tasks;x/" + bob.taskId(),
                "/v1//tasks/" + bob.taskId(), "//q/health/live")) {
            assertEquals(400, status("GET", path, ADMIN), path);
        }
        given().urlEncodingEnabled(false).get("/v1/tasks/" + bob.taskId() + "%3Bx").then().statusCode(400)
                .body("error", equalTo("invalid_path"), "message", containsString("';'"));
        as(ADMIN).get("/v1/tasks/{id}", bob.taskId()).then().statusCode(200); // the canonical path still serves
    }

    /**
     * The status of one request written as given on a socket: an HTTP client would tidy the path.
     * Only the status line is read, so an event stream that stays open still answers.
     */
    private static int status(String method, String target, String token) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            boolean body = !method.equals("GET") && !method.equals("DELETE");
            String request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + (body ? "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" : "\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (statusLine == null) {
                return 400; // the server closed the connection on a request it could not parse
            }
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }
}
