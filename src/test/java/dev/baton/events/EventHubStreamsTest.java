package dev.baton.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ending streams: at shutdown every stream ends and later ones end after their replay; when this
 * Baton stands by (it lost the writer lease) the open streams end, but it will serve again, so a
 * stream opened later stays open.
 */
class EventHubStreamsTest {

    /** A socket that takes every write at once and remembers whether the response ended. */
    private static final class Socket implements EventStream.Sink {
        volatile boolean ended;

        @Override
        public void write(byte[] chunk, Runnable written) {
            written.run();
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
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
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
}
