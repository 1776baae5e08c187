package dev.baton.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.EventType;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ending streams: at shutdown every stream ends and later ones end after their replay; when this
 * Baton stands by (it lost the writer lease) the open streams end, but it will serve again, so a
 * stream opened later stays open. One task's stream ({@code GET /v1/tasks/{id}/events}) opened
 * while the task changes: its state is read before the hub's lock is taken, so events dispatched in
 * between reach the stream from the replay ring, and a task that ended there ends the stream.
 */
class EventHubStreamsTest {

    /** A socket that takes every write at once and keeps what was written and whether the response ended. */
    static final class Socket implements EventStream.Sink {
        final List<String> written = new CopyOnWriteArrayList<>();
        volatile boolean ended;

        @Override
        public void write(byte[] chunk, Runnable done) {
            written.add(new String(chunk, StandardCharsets.UTF_8));
            done.run();
        }

        @Override
        public void end() {
            ended = true;
        }

        @Override
        public void abort() {
        }
    }

    private final EventHub hub = new EventHub(new EventHub.Settings(1024, 100, 100, 60_000, Duration.ofMillis(1)),
            new EventMetrics(new SimpleMeterRegistry()));

    private final io.netty.util.concurrent.DefaultEventExecutor loop = new io.netty.util.concurrent.DefaultEventExecutor();

    @AfterEach
    void stop() {
        hub.stop();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private Socket open() {
        Socket socket = new Socket();
        hub.subscribe(EventStream.Filter.ALL, null).attach(socket);
        return socket;
    }

    @Test
    void standingByEndsTheOpenStreamsAndLaterOnesStayOpen() {
        hub.start(0, loop);
        Socket before = open();
        hub.endOpenStreams();
        assertTrue(before.ended, "an open stream ends when this Baton stands by");
        Socket after = open();
        assertFalse(after.ended, "once serving again, a new stream stays open");
        assertEquals(1, hub.streams());
    }

    @Test
    void atShutdownEveryStreamEndsAndSoDoesEveryLaterOne() {
        hub.start(0, loop);
        Socket before = open();
        hub.endStreams();
        assertTrue(before.ended);
        assertTrue(open().ended, "a stream opened while stopping ends after its replay");
    }

    private static TaskEvent event(long seq, EventType type, String taskId, TaskStatus status) {
        return new TaskEvent(seq, type, taskId, "t", Priority.HIGH, status, "a-1", null, null, 1_000 + seq, null, null);
    }

    private void dispatched(String taskId, int events) {
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.history(taskId).size() == events);
    }

    private Socket open(String taskId, TaskEvent stateReadEarlier) {
        Socket socket = new Socket();
        hub.subscribeTask(taskId, null, hub.publishable(stateReadEarlier), stateReadEarlier.seq()).attach(socket);
        return socket;
    }

    @Test
    void aTaskThatEndedWhileItsStreamOpenedEndsTheStream() {
        hub.start(0, loop);
        hub.accept(event(1, EventType.QUEUED, "t-1", TaskStatus.PENDING));
        hub.accept(event(2, EventType.ASSIGNED, "t-1", TaskStatus.ASSIGNED));
        hub.accept(event(3, EventType.QUEUED, "t-2", TaskStatus.PENDING));
        hub.accept(event(4, EventType.COMPLETED, "t-1", TaskStatus.COMPLETED));
        dispatched("t-1", 3);

        // the state was read when the engine was at seq 1: assigned and completed came after it
        Socket socket = open("t-1", event(1, EventType.QUEUED, "t-1", TaskStatus.PENDING));

        assertTrue(socket.ended, "the task ended: so does its stream");
        String sent = String.join("", socket.written);
        assertTrue(sent.contains("task.assigned") && sent.contains("task.completed"), sent);
        assertFalse(sent.contains("\"t-2\""), "another task's event is not this stream's: " + sent);
        assertEquals(0, hub.streams(), "an ended stream is not registered");
    }

    @Test
    void aTaskStillRunningGetsWhatItMissedAndStaysOpenForTheRest() {
        hub.start(0, loop);
        hub.accept(event(1, EventType.QUEUED, "t-1", TaskStatus.PENDING));
        hub.accept(event(2, EventType.ASSIGNED, "t-1", TaskStatus.ASSIGNED));
        dispatched("t-1", 2);

        Socket socket = open("t-1", event(1, EventType.QUEUED, "t-1", TaskStatus.PENDING));
        String missed = String.join("", socket.written);
        assertTrue(missed.contains("task.assigned") && !missed.contains("task.queued"), missed);
        assertFalse(socket.ended);

        hub.accept(event(3, EventType.COMPLETED, "t-1", TaskStatus.COMPLETED));
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.ended);
        assertTrue(String.join("", socket.written).contains("task.completed"));
    }
}
