package dev.baton.api;

import static dev.baton.api.Api.claimAsync;
import static dev.baton.api.Api.claimOne;
import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.fail;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.submit;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestClock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Assignment (docs/model.md) shown through the API: agents wait in long-polls, a task arrives, and the scorer
 * decides who gets it. Runs in its own app (profile) so that a {@code general} agent sees only
 * this class's work; every test finishes the tasks it starts.
 */
@QuarkusTest
@TestProfile(ScoringApiTest.OwnApp.class)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class ScoringApiTest {

    public static class OwnApp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.priority-aging", "60s");
        }
    }

    private static final long WAIT_MS = 20_000;

    @Test
    void aSpecialistBeatsAGeneralist() throws Exception {
        String type = unique("t");
        String generalist = unique("generalist");
        String specialist = unique("specialist");
        registerAgent(generalist, 1, "general");
        registerAgent(specialist, 1, type);

        String winner = race(type, generalist, specialist);
        assertEquals(specialist, winner);
    }

    @Test
    void anIdleAgentBeatsABusyOne() throws Exception {
        String type = unique("t");
        String busy = unique("busy");
        String idle = unique("idle");
        registerAgent(busy, 2, type);
        registerAgent(idle, 2, type);
        submit(type, "MEDIUM");
        Api.Lease running = claimOne(busy); // busy now runs 1 of 2

        String winner = race(type, busy, idle);
        assertEquals(idle, winner);
        complete(running.taskId(), running.leaseId()).then().statusCode(200);
    }

    @Test
    void aReliableAgentBeatsAFailingOne() throws Exception {
        String type = unique("t");
        String flaky = unique("flaky");
        String solid = unique("solid");
        registerAgent(flaky, 1, type);
        registerAgent(solid, 1, type);
        for (int i = 0; i < 3; i++) {
            submit(type, "MEDIUM");
            Api.Lease lease = claimOne(flaky);
            fail(lease.taskId(), lease.leaseId(), false).then().statusCode(200);
            submit(type, "MEDIUM");
            Api.Lease good = claimOne(solid);
            complete(good.taskId(), good.leaseId()).then().statusCode(200);
        }
        given().get("/v1/agents/{id}", flaky).then().body("history_by_type." + type + ".failed", equalTo(3));

        String winner = race(type, flaky, solid);
        assertEquals(solid, winner);
    }

    @Test
    void agingLiftsAStarvingLowTaskAboveFresherWork() throws Exception {
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String starving = submit(type, "LOW");
        TestClock.advance(Duration.ofSeconds(150)); // two aging steps: LOW now competes as HIGH
        String fresh = submit(type, "MEDIUM");

        Response first = given().post("/v1/agents/{id}/claim?wait_ms={w}", agent, WAIT_MS);
        first.then().statusCode(200).body("tasks[0].id", equalTo(starving));
        complete(starving, first.path("tasks[0].lease_id")).then().statusCode(200);
        Api.Lease second = claimOne(agent);
        assertEquals(fresh, second.taskId());
        complete(second.taskId(), second.leaseId()).then().statusCode(200);
    }

    /**
     * Both agents park a long-poll; one task arrives. Returns the agent whose claim got it, after
     * checking that the other is still waiting, then ends the other's wait with a second task.
     */
    private static String race(String type, String one, String other) throws Exception {
        CompletableFuture<Response> first = claimAsync(one, WAIT_MS);
        CompletableFuture<Response> second = claimAsync(other, WAIT_MS);
        Api.awaitParked(one);
        Api.awaitParked(other);

        String task = submit(type, "MEDIUM");
        CompletableFuture<Object> anyDone = CompletableFuture.anyOf(first, second);
        anyDone.get(10, TimeUnit.SECONDS);
        boolean firstWon = first.isDone();
        CompletableFuture<Response> winner = firstWon ? first : second;
        CompletableFuture<Response> loser = firstWon ? second : first;
        Response won = winner.get();
        won.then().statusCode(200).body("tasks[0].id", equalTo(task));
        assertFalse(loser.isDone(), "one task wakes exactly one waiting agent");

        String rest = submit(type, "MEDIUM");
        Response late = loser.get(10, TimeUnit.SECONDS);
        late.then().statusCode(200).body("tasks[0].id", equalTo(rest));
        complete(task, won.path("tasks[0].lease_id")).then().statusCode(200);
        complete(rest, late.path("tasks[0].lease_id")).then().statusCode(200);
        return firstWon ? one : other;
    }
}
