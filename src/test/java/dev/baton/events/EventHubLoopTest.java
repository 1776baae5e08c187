package dev.baton.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.EventType;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fan-out runs on the hub's event loop: an event the engine emits on that loop reaches a
 * subscriber whose connection is on that loop with no other thread, and events dispatched
 * anywhere all arrive, in order.
 */
class EventHubLoopTest {

    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final EventHub hub = new EventHub(new EventHub.Settings(1024, 100, 10_000, 60_000, Duration.ofMillis(6)),
            new EventMetrics(new SimpleMeterRegistry()));

    /** A socket of {@code loop}'s: remembers what was written and on which thread. */
    private final class Socket implements EventStream.Sink {
        final List<String> chunks = new CopyOnWriteArrayList<>();
        final List<Thread> writers = new CopyOnWriteArrayList<>();

        @Override
        public void write(byte[] chunk, Runnable written) {
            chunks.add(new String(chunk, StandardCharsets.UTF_8));
            writers.add(Thread.currentThread());
            written.run();
        }

        @Override
        public void end() {
        }

        @Override
        public void abort() {
        }

        @Override
        public Executor executor() {
            return loop;
        }
    }

    @AfterEach
    void stop() {
        hub.stop();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static TaskEvent event(long seq) {
        return new TaskEvent(seq, EventType.QUEUED, "task-" + seq, "t", Priority.LOW, TaskStatus.PENDING, null, 0, null, seq,
                null, null);
    }

    @Test
    void anEventEmittedOnTheHubsLoopIsWrittenByThatLoopAlone() throws Exception {
        hub.start(0, loop);
        Socket socket = new Socket();
        hub.subscribe(EventStream.Filter.ALL, null).attach(socket);
        Thread loopThread = loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);

        loop.execute(() -> hub.accept(event(1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> String.join("", socket.chunks).contains("task-1"));
        assertTrue(socket.writers.stream().allMatch(writer -> writer == loopThread), "written by " + socket.writers);
        List<String> threads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
        assertTrue(threads.stream().noneMatch(name -> name.startsWith("baton-events")), "no dispatcher thread: " + threads);
    }

    @Test
    void eventsFromAnyThreadAllArriveInOrderWhateverTheRests() {
        hub.start(0, loop);
        Socket socket = new Socket();
        hub.subscribe(EventStream.Filter.ALL, null).attach(socket);

        for (long seq = 1; seq <= 500; seq++) {
            hub.accept(event(seq)); // the engine's order, from a thread that is not the loop
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> String.join("", socket.chunks).contains("task-500\""));
        String all = String.join("", socket.chunks);
        int last = -1;
        for (long seq = 1; seq <= 500; seq++) {
            int at = all.indexOf("\"task-" + seq + "\"");
            assertTrue(at > last, "task-" + seq + " after task-" + (seq - 1));
            last = at;
        }
        assertEquals(500, all.split("\n\n", -1).length - 1, "one SSE item per event, each once");
    }
}
