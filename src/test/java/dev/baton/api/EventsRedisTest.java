package dev.baton.api;

import static dev.baton.api.Api.complete;
import static dev.baton.api.Api.fail;
import static dev.baton.api.Api.json;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.store.RespClient;
import dev.baton.testing.RedisSubscriber;
import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis pub/sub (docs/redis.md): what a plain subscriber sees on task_notifications and task:{id}:events. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class EventsRedisTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisSubscriber subscriber;

    @BeforeEach
    void subscribe() {
        subscriber = new RedisSubscriber(RedisTestResource.redis().uri()).subscribe("task_notifications").psubscribe("task:*:events");
    }

    @AfterEach
    void close() {
        subscriber.close();
    }

    @Test
    void aLifecycleIsPublishedAsTheExactJson() {
        long from = TestClock.INSTANCE.millis();
        Api.Setup setup = Api.Setup.of("HIGH");
        String id = setup.taskId();
        Api.Lease lease = setup.claim();
        json().body(Map.of("lease_id", lease.leaseId(), "progress", 40, "message", "halfway"))
                .post("/v1/tasks/{id}/heartbeat", id).then().statusCode(200);
        complete(id, lease.leaseId()).then().statusCode(200);

        String t = setup.type();
        String a = setup.agent();
        List<Map<String, Object>> expected = List.of(
                event("task.submitted", id, t, "HIGH", "PENDING", null, 0, null),
                event("task.assigned", id, t, "HIGH", "ASSIGNED", a, 0, null),
                event("task.started", id, t, "HIGH", "IN_PROGRESS", a, 0, null),
                event("task.progress", id, t, "HIGH", "IN_PROGRESS", a, 40, "halfway"),
                event("task.completed", id, t, "HIGH", "COMPLETED", a, 100, "halfway"));
        assertTaskEvents(id, expected, from);
        // the fan-out and the notifier run on an event loop (events/EventHub): no thread of their own
        java.util.List<String> threads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
        org.junit.jupiter.api.Assertions.assertFalse(threads.contains("baton-events") || threads.contains("baton-notify"),
                "threads: " + threads);
    }

    @Test
    void aFailureIsPublished() {
        long from = TestClock.INSTANCE.millis();
        Api.Setup setup = Api.Setup.of("LOW");
        String id = setup.taskId();
        Api.Lease lease = setup.claim();
        fail(id, lease.leaseId(), false).then().statusCode(200);

        String t = setup.type();
        String a = setup.agent();
        assertTaskEvents(id, List.of(
                event("task.submitted", id, t, "LOW", "PENDING", null, 0, null),
                event("task.assigned", id, t, "LOW", "ASSIGNED", a, 0, null),
                event("task.failed", id, t, "LOW", "FAILED", a, 0, "boom")), from);
    }

    @Test
    void aCancellationIsPublished() {
        long from = TestClock.INSTANCE.millis();
        Api.Setup setup = Api.Setup.of("MEDIUM");
        String id = setup.taskId();
        given().post("/v1/tasks/{id}/cancel", id).then().statusCode(200);

        String t = setup.type();
        assertTaskEvents(id, List.of(
                event("task.submitted", id, t, "MEDIUM", "PENDING", null, 0, null),
                event("task.cancelled", id, t, "MEDIUM", "CANCELLED", null, 0, "cancelled by request")), from);
    }

    @Test
    void withRedisAwayClaimsGoOnAndTheirNotificationsWaitWithTheJournalNotDropped() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        String assigned = "baton_events_published_total{consumer=\"redis\",kind=\"task.assigned\"}";
        double droppedBefore = EventsBackpressureTest.meter("baton_events_dropped_total{consumer=\"redis\"}");
        double assignedBefore = EventsBackpressureTest.meter(assigned);
        subscriber.close();
        RedisTestResource.redis().stop();
        Api.Lease lease;
        try {
            lease = setup.claim(); // claims never wait for Redis, nor for its notifications
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> // the journal's write of the claim failed
                    given().get("/q/health/ready").then().statusCode(503));
            assertEquals(assignedBefore, EventsBackpressureTest.meter(assigned), "published while Redis is away");
        } finally {
            RedisTestResource.redis().start();
        }
        subscriber = new RedisSubscriber(RedisTestResource.redis().uri()).subscribe("task_notifications").psubscribe("task:*:events");
        // the claim's notification went out with its journal entry once Redis took it: late, not lost
        await().atMost(Duration.ofSeconds(30)).until(() -> EventsBackpressureTest.meter(assigned) == assignedBefore + 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> complete(setup.taskId(), lease.leaseId()).then().statusCode(200));
        await().atMost(Duration.ofSeconds(10)).until(() -> parse(subscriber.on("task:" + setup.taskId() + ":events")).stream()
                .anyMatch(e -> "task.completed".equals(e.get("event"))));
        assertEquals(droppedBefore, EventsBackpressureTest.meter("baton_events_dropped_total{consumer=\"redis\"}"));
    }

    /**
     * In journal mode the notifications go with the journal's entries: Redis never runs the
     * notifier's own script (a script Redis ran stays in its script cache until it restarts).
     */
    @Test
    void notificationsGoWithTheJournalsWritesNotInACallOfTheirOwn() throws Exception {
        Api.Setup setup = Api.Setup.of("HIGH");
        Api.Lease lease = setup.claim();
        complete(setup.taskId(), lease.leaseId()).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> parse(subscriber.on("task:" + setup.taskId() + ":events")).stream()
                .anyMatch(e -> "task.completed".equals(e.get("event"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.on("task_notifications").stream()
                .anyMatch(n -> n.contains(setup.taskId()) && n.contains("COMPLETED")));
        assertEquals(List.of(0L), RespClient.call(RedisTestResource.redis().port(), "SCRIPT", "EXISTS", notifiersScript()),
                "the notifier's own script ran");
    }

    /** The SHA1 of the script the notifier sends with EVAL in checkpoint mode. */
    private static String notifiersScript() throws Exception {
        java.lang.reflect.Field script = Class.forName("dev.baton.events.RedisNotifier").getDeclaredField("PUBLISH_ALL");
        script.setAccessible(true);
        byte[] sha = java.security.MessageDigest.getInstance("SHA-1")
                .digest(((String) script.get(null)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(sha);
    }

    @Test
    void publishedEventsAreCountedPerKindAndConsumer() {
        Api.Setup setup = Api.Setup.of("MEDIUM");
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.on("task:" + setup.taskId() + ":events").size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> EventsBackpressureTest.meter(
                "baton_events_published_total{consumer=\"redis\",kind=\"task.submitted\"}") >= 1);
    }

    /** The task's channel carries the full events; task_notifications the matching notifications. */
    private void assertTaskEvents(String id, List<Map<String, Object>> expected, long fromMillis) {
        long toMillis = TestClock.INSTANCE.millis();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Map<String, Object>> seen = parse(subscriber.on("task:" + id + ":events"));
            List<Map<String, Object>> withoutSeq = new ArrayList<>();
            for (Map<String, Object> event : seen) {
                Map<String, Object> copy = new LinkedHashMap<>(event);
                if (!(copy.remove("seq") instanceof Number)) {
                    throw new AssertionError("no numeric seq in " + event);
                }
                if (!copy.containsKey("score")) {
                    throw new AssertionError("no score key in " + event);
                }
                Object score = copy.remove("score"); // the assignment's score terms; null on other events
                boolean assigned = "task.assigned".equals(copy.get("event"));
                if (assigned ? !(score instanceof Map<?, ?> terms && terms.get("total") instanceof Number) : score != null) {
                    throw new AssertionError("score " + score + " on " + event);
                }
                long at = Instant.parse((String) copy.remove("at")).toEpochMilli();
                if (at < fromMillis || at > toMillis) {
                    throw new AssertionError("at outside the test's time: " + event);
                }
                withoutSeq.add(copy);
            }
            assertEquals(expected, withoutSeq);
        });
        List<Map<String, Object>> seen = parse(subscriber.on("task:" + id + ":events"));
        for (int i = 1; i < seen.size(); i++) {
            long before = ((Number) seen.get(i - 1).get("seq")).longValue();
            long now = ((Number) seen.get(i).get("seq")).longValue();
            if (now <= before) {
                throw new AssertionError("seq not increasing: " + seen);
            }
        }
        List<Map<String, Object>> notifications = parse(subscriber.on("task_notifications")).stream()
                .filter(n -> id.equals(n.get("task_id"))).toList();
        List<Map<String, Object>> expectedNotifications = expected.stream().map(e -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("action", "task.submitted".equals(e.get("event")) ? "new_task" : "task_updated");
            for (String key : List.of("task_id", "task_type", "priority", "status", "agent_id")) {
                n.put(key, e.get(key));
            }
            return n;
        }).toList();
        assertEquals(expectedNotifications, notifications);
    }

    static Map<String, Object> event(String kind, String id, String type, String priority, String status, String agent,
            Integer progress, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", kind);
        e.put("task_id", id);
        e.put("task_type", type);
        e.put("priority", priority);
        e.put("status", status);
        e.put("agent_id", agent);
        e.put("progress", progress);
        e.put("message", message);
        return e;
    }

    static List<Map<String, Object>> parse(List<String> payloads) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String payload : payloads) {
            try {
                out.add(JSON.readValue(payload, new TypeReference<LinkedHashMap<String, Object>>() { }));
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + payload, e);
            }
        }
        return out;
    }
}
