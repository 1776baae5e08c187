package dev.baton.api;

import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.json;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Server-sent events (docs/events.md): order, filters, reconnects, per-task streams. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class EventsSseTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + RestAssured.port + pathAndQuery);
    }

    @Test
    void aLifecycleArrivesInOrderWithSeqAsId() {
        String type = Api.unique("t");
        try (SseClient client = SseClient.open(uri("/v1/events?task_type=" + type), null)) {
            assertEquals(200, client.status());
            String agent = Api.unique("a");
            Api.registerAgent(agent, 1, type);
            String id = Api.submit(type, "HIGH");
            Api.Lease lease = Api.claimOne(agent);
            json().body(Map.of("lease_id", lease.leaseId(), "progress", 40, "message", "halfway"))
                    .post("/v1/tasks/{id}/heartbeat", id).then().statusCode(200);
            complete(id, lease.leaseId()).then().statusCode(200);

            await().atMost(WAIT).until(() -> client.events().size() >= 5);
            List<SseClient.Event> events = client.events();
            assertEquals(List.of("task.submitted", "task.assigned", "task.started", "task.progress", "task.completed"),
                    events.stream().map(SseClient.Event::name).toList());
            long previous = 0;
            for (SseClient.Event event : events) {
                Map<String, Object> data = EventsRedisTest.parse(List.of(event.data())).get(0);
                assertEquals(event.name(), data.get("event"));
                assertEquals(id, data.get("task_id"));
                long seq = Long.parseLong(event.id());
                assertEquals(seq, ((Number) data.get("seq")).longValue());
                assertTrue(seq > previous, "ids increase: " + events);
                previous = seq;
            }
            assertEquals("COMPLETED", EventsRedisTest.parse(List.of(events.get(4).data())).get(0).get("status"));
        }
    }

    @Test
    void filtersByKindAndAgent() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        try (SseClient completions = SseClient.open(uri("/v1/events?event=task.completed,task.failed&agent=" + setup.agent()), null)) {
            Api.Lease lease = setup.claim();
            complete(setup.taskId(), lease.leaseId()).then().statusCode(200);
            await().atMost(WAIT).until(() -> !completions.events().isEmpty());
            assertEquals(List.of("task.completed"), completions.events().stream().map(SseClient.Event::name).toList());
        }
        given().get("/v1/events?event=task.nonsense").then().statusCode(400)
                .body("error", equalTo("invalid_request"), "message", containsString("task.nonsense"));
        given().header("Last-Event-ID", "yesterday").get("/v1/events").then().statusCode(400)
                .body("message", containsString("Last-Event-ID"));
    }

    @Test
    void aReconnectWithLastEventIdGetsWhatItMissed() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        String type = setup.type();
        String lastSeen;
        try (SseClient first = SseClient.open(uri("/v1/events?task_type=" + type), null)) {
            String second = Api.submit(type, "LOW");
            await().atMost(WAIT).until(() -> !first.events().isEmpty());
            assertEquals(second, EventsRedisTest.parse(List.of(first.events().get(0).data())).get(0).get("task_id"));
            lastSeen = first.events().get(0).id();
        }
        Api.Lease lease = setup.claim();
        complete(setup.taskId(), lease.leaseId()).then().statusCode(200);

        try (SseClient again = SseClient.open(uri("/v1/events?task_type=" + type), lastSeen)) {
            await().atMost(WAIT).until(() -> again.events().size() >= 2);
            assertEquals(List.of("task.assigned", "task.completed"),
                    again.events().stream().map(SseClient.Event::name).toList());
            assertTrue(Long.parseLong(again.events().get(0).id()) > Long.parseLong(lastSeen));
        }
    }

    @Test
    void aReconnectPastWhatTheServerHoldsGetsResync() {
        try (SseClient client = SseClient.open(uri("/v1/events"), "999999999999")) {
            await().atMost(WAIT).until(() -> !client.events().isEmpty());
            SseClient.Event resync = client.events().get(0);
            assertEquals("resync", resync.name());
            assertEquals(999999999999L, ((Number) EventsRedisTest.parse(List.of(resync.data())).get(0).get("last_event_id")).longValue());
        }
    }

    @Test
    void aTaskStreamClosesAfterTheTerminalEvent() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        try (SseClient client = SseClient.open(uri("/v1/tasks/" + setup.taskId() + "/events"), null)) {
            Api.Lease lease = setup.claim();
            complete(setup.taskId(), lease.leaseId()).then().statusCode(200);
            await().atMost(WAIT).until(client::ended);
            assertEquals(List.of("task.assigned", "task.completed"), client.events().stream().map(SseClient.Event::name).toList());
        }
    }

    @Test
    void aFinishedTaskStreamGetsItsLastEventAndCloses() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        given().post("/v1/tasks/{id}/cancel", setup.taskId()).then().statusCode(200);
        try (SseClient client = SseClient.open(uri("/v1/tasks/" + setup.taskId() + "/events"), null)) {
            await().atMost(WAIT).until(client::ended);
            assertEquals(List.of("task.cancelled"), client.events().stream().map(SseClient.Event::name).toList());
        }
        given().get("/v1/tasks/{id}/events", "no-such-task").then().statusCode(404).body("error", equalTo("task_not_found"));
    }
}
