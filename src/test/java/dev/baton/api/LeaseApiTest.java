package dev.baton.api;

import static dev.baton.api.Api.claimOne;
import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.fail;
import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.status;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The agent's side: claim, heartbeat, complete, fail, leases and their refusals. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class LeaseApiTest {

    @Test
    void aTaskRunsFromClaimThroughHeartbeatToCompletion() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String id = submit(type, "MEDIUM");

        Response claim = Api.claimNow(agent);
        claim.then().statusCode(200).body("tasks", hasSize(1), "tasks[0].id", equalTo(id),
                "tasks[0].status", equalTo("ASSIGNED"), "tasks[0].assigned_agent", equalTo(agent),
                "tasks[0].lease_id", notNullValue(), "tasks[0].lease_expires_at", notNullValue());
        String lease = claim.path("tasks[0].lease_id");

        json().body(Map.of("lease_id", lease, "progress", 40, "message", "halfway")).post("/v1/tasks/{id}/heartbeat", id)
                .then().statusCode(200).body("cancel_requested", equalTo(false), "lease_expires_at", notNullValue());
        given().get("/v1/tasks/{id}", id).then()
                .body("status", equalTo("IN_PROGRESS"), "progress", equalTo(40), "message", equalTo("halfway"));

        complete(id, lease).then().statusCode(200)
                .body("status", equalTo("COMPLETED"), "duplicate", equalTo(false), "result.ok", equalTo(true));
        complete(id, lease).then().statusCode(200).body("duplicate", equalTo(true), "status", equalTo("COMPLETED"));
        given().get("/v1/agents/{id}", agent).then()
                .body("history.completed", equalTo(1), "history_by_type." + type + ".completed", equalTo(1), "active", hasSize(0));
    }

    @Test
    void aStaleLeaseIsRefusedWith409AndChangesNothing() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        String id = setup.taskId();
        Api.Lease lease = setup.claim();

        complete(id, "not-" + lease.leaseId()).then().statusCode(409)
                .body("error", equalTo("lease_expired"), "message", containsString(id));
        json().body(Map.of("lease_id", "nope")).post("/v1/tasks/{id}/heartbeat", id).then().statusCode(409);
        fail(id, "nope", false).then().statusCode(409).body("error", equalTo("lease_expired"));
        assertEquals("ASSIGNED", status(id));
        complete(id, lease.leaseId()).then().statusCode(200);
    }

    @Test
    void badLeaseCallsAre400() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        String id = setup.taskId();
        Api.Lease lease = setup.claim();

        json().body(Map.of("result", Map.of())).post("/v1/tasks/{id}/complete", id)
                .then().statusCode(400).body("message", containsString("lease_id: is required"));
        json().body(Map.of("lease_id", lease.leaseId(), "progress", 101)).post("/v1/tasks/{id}/heartbeat", id)
                .then().statusCode(400).body("message", containsString("progress: must be between 0 and 100"));
        json().body(Map.of("lease_id", lease.leaseId())).post("/v1/tasks/{id}/fail", id)
                .then().statusCode(400).body("message", containsString("error: is required"));
        json().body(Map.of("lease_id", lease.leaseId(), "retryable", "yes", "error", "x")).post("/v1/tasks/{id}/fail", id)
                .then().statusCode(400).body("message", containsString("retryable: wrong type"));
        assertEquals("ASSIGNED", status(id), "refused calls change nothing");
        complete("nope", lease.leaseId()).then().statusCode(404).body("error", equalTo("task_not_found"));
    }

    @Test
    void aRunningTaskCancelledIsToldInItsHeartbeatAndCannotComplete() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        String id = setup.taskId();
        Api.Lease lease = setup.claim();

        given().post("/v1/tasks/{id}/cancel", id).then().statusCode(200).body("status", equalTo("CANCELLED"));
        json().body(Map.of("lease_id", lease.leaseId())).post("/v1/tasks/{id}/heartbeat", id)
                .then().statusCode(200).body("cancel_requested", equalTo(true));
        complete(id, lease.leaseId()).then().statusCode(409)
                .body("error", equalTo("task_cancelled"), "message", containsString("cancelled"));
        assertEquals("CANCELLED", status(id));
    }

    @Test
    void aRetryableFailureWaitsScheduledThenReturnsOneLevelLower() {
        Api.Setup setup = Api.Setup.of("HIGH");
        String id = setup.taskId();
        Api.Lease lease = setup.claim();

        fail(id, lease.leaseId(), true).then().statusCode(200)
                .body("status", equalTo("SCHEDULED"), "error", equalTo("boom"), "attempt", equalTo(1), "duplicate", equalTo(false));
        fail(id, lease.leaseId(), true).then().statusCode(200).body("duplicate", equalTo(true));
        TestClock.advance(Duration.ofSeconds(12)); // default backoff 10 s ± 10 %
        Api.awaitStatus(id, "PENDING");
        given().get("/v1/tasks/{id}", id).then().body("level", equalTo("MEDIUM"), "priority", equalTo("HIGH"));
    }

    @Test
    void aFinalFailureIsADeadLetterThatRetryRequeues() {
        Api.Setup setup = Api.Setup.of("LOW");
        String id = setup.taskId();
        Api.Lease lease = setup.claim();

        fail(id, lease.leaseId(), false).then().statusCode(200).body("status", equalTo("FAILED"));
        given().get("/v1/tasks?status=FAILED&type={t}", setup.type()).then().body("tasks.id", hasItem(id));
        given().post("/v1/tasks/{id}/retry", id).then().statusCode(200).body("status", equalTo("PENDING"));
        given().post("/v1/tasks/{id}/retry", id).then().statusCode(409).body("error", equalTo("illegal_transition"));
        setup.claim();
    }

    @Test
    void anExpiredLeaseRequeuesTheTaskWithTheNextAttempt() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        String id = setup.taskId();
        Api.Lease lease = setup.claim();

        TestClock.advance(Duration.ofSeconds(31)); // lease-ttl 30 s
        Api.awaitStatus(id, "PENDING");
        given().get("/v1/tasks/{id}", id).then().body("attempt", equalTo(1), "expiries", equalTo(1));
        complete(id, lease.leaseId()).then().statusCode(409).body("error", equalTo("lease_expired"));
        Api.Lease again = setup.claim();
        complete(id, again.leaseId()).then().statusCode(200);
    }

    @Test
    void aLongPollIsAnsweredByTheNextTaskOrEmptyAfterItsWait() throws Exception {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 2, type);

        given().post("/v1/agents/{id}/claim?wait_ms=200", agent).then().statusCode(204);

        CompletableFuture<Response> poll = Api.claimAsync(agent, 20_000);
        Api.awaitParked(agent);
        String id = submit(type, "LOW");
        Response answer = poll.get(10, TimeUnit.SECONDS);
        answer.then().statusCode(200).body("tasks[0].id", equalTo(id), "tasks[0].status", equalTo("ASSIGNED"));
    }

    @Test
    void aLongPollWhoseClientWentAwayStopsWaitingAndGetsNoTask() throws Exception {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.getOutputStream().write(("POST /v1/agents/" + agent + "/claim?wait_ms=20000 HTTP/1.1\r\n"
                    + "Host: localhost\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Api.awaitParked(agent);
        }
        await().atMost(Duration.ofSeconds(10)).until(
                () -> given().get("/v1/agents/{id}", agent).then().extract().<Integer>path("waiting_claims") == 0);
        String id = submit(type, "LOW");
        assertEquals("PENDING", status(id));
    }

    @Test
    void aClaimMayTakeSeveralTasks() {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 3, type);
        submit(type, "LOW");
        submit(type, "LOW");
        submit(type, "LOW");
        submit(type, "LOW");
        given().post("/v1/agents/{id}/claim?max=10", agent).then().statusCode(200).body("tasks", hasSize(3));
        given().post("/v1/agents/{id}/claim", agent).then().statusCode(204);
    }

    @Test
    void badClaimsAreRefused() {
        String agent = unique("a");
        given().post("/v1/agents/{id}/claim", agent).then().statusCode(404).body("error", equalTo("agent_not_found"));
        registerAgent(agent, 1, unique("t"));
        given().post("/v1/agents/{id}/claim?wait_ms=-1", agent).then().statusCode(400)
                .body("message", containsString("wait_ms"));
        given().post("/v1/agents/{id}/claim?max=0", agent).then().statusCode(400).body("message", containsString("max"));
    }
}
