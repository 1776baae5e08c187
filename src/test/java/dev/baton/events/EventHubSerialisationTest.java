package dev.baton.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.EventType;
import dev.baton.engine.Priority;
import dev.baton.engine.ScoreBreakdown;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskSpec;
import dev.baton.engine.TaskStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event is serialised only when something reads it: with nobody listening the hub hands it on
 * and keeps it in the replay ring as it came, and whoever reads it later (a replay, a consumer)
 * gets the whole event, the assignment's score too, though the ring keeps no task record.
 */
class EventHubSerialisationTest {

    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final EventHub hub = new EventHub(new EventHub.Settings(1024, 100, 100, 60_000, Duration.ofMillis(1)),
            new EventMetrics(new SimpleMeterRegistry()));

    @AfterEach
    void stop() {
        hub.stop();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void anEventNobodyListensToIsNotSerialisedAndAReplayGetsItWhole() {
        List<Published> handedOn = new CopyOnWriteArrayList<>();
        hub.addConsumer(handedOn::addAll);
        hub.start(0, loop);
        TaskSpec spec = new TaskSpec("task-1", "t", null, Priority.HIGH, "{}", null, null, null, false);
        TaskRecord record = new TaskRecord(spec, 3, 1_000, TaskStatus.ASSIGNED, Priority.HIGH, null, 1, 0, 0, 0, null, null,
                null, 1_500L, null, "lease-1", "agent-1", false, null, false, 1_000, 1);
        ScoreBreakdown score = new ScoreBreakdown(95, 50, 25, 10, 5, 5);
        TaskEvent assigned = new TaskEvent(1, EventType.ASSIGNED, "task-1", "t", Priority.HIGH, TaskStatus.ASSIGNED,
                "agent-1", 0, null, 1_500, record, null, score);

        hub.accept(assigned);

        await().atMost(Duration.ofSeconds(5)).until(() -> handedOn.size() == 1);
        Published event = handedOn.get(0);
        assertFalse(event.serialised(), "nobody read it, so it was not serialised");
        assertEquals(null, event.event().task(), "the ring keeps no task record");

        EventHubStreamsTest.Socket replay = new EventHubStreamsTest.Socket();
        hub.subscribe(EventStream.Filter.ALL, 0L).attach(replay);

        String whole = WireEvent.of(assigned).json();
        assertTrue(whole.contains("\"score\":{\"total\":95.0"), whole);
        await().atMost(Duration.ofSeconds(5)).until(() -> String.join("", replay.written).contains("task.assigned"));
        assertTrue(String.join("", replay.written).contains("data: " + whole + "\n"), "replayed: " + replay.written);
        assertEquals(whole, event.json(), "a consumer reading it later gets the same event");
        assertEquals(List.of(whole), hub.history("task-1"));
    }
}
