package dev.baton.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One subscriber's bounded stream: what queued goes out as one write per flush, events not yet
 * taken by the socket count against the capacity, a full buffer cuts the stream off, finish writes
 * what waits first.
 */
class EventStreamTest {

    /** A socket whose writes complete only when told. */
    private static final class Socket implements EventStream.Sink {
        final List<byte[]> writes = new ArrayList<>();
        final List<Runnable> unfinished = new ArrayList<>();
        boolean ended;
        boolean aborted;

        @Override
        public void write(byte[] chunk, Runnable written) {
            writes.add(chunk);
            unfinished.add(written);
        }

        @Override
        public void end() {
            ended = true;
        }

        @Override
        public void abort() {
            aborted = true;
        }

        void takeAll() {
            unfinished.forEach(Runnable::run);
            unfinished.clear();
        }

        List<String> text() {
            return writes.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        }
    }

    private final AtomicInteger closed = new AtomicInteger();
    private final Socket socket = new Socket();

    private EventStream stream(int capacity) {
        return new EventStream(EventStream.Filter.ALL, capacity, closed::incrementAndGet);
    }

    private static byte[] event(int n) {
        return ("e" + n + ";").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void whatQueuedBeforeTheSocketIsAttachedGoesOutAsOneWrite() {
        EventStream stream = stream(10);
        stream.offer(event(0));
        stream.offer(event(1));
        stream.flush();
        stream.attach(socket);
        assertEquals(List.of("e0;e1;"), socket.text());
        stream.offer(event(2));
        stream.flush();
        assertEquals(List.of("e0;e1;", "e2;"), socket.text());
    }

    @Test
    void aSharedChunkAloneIsWrittenAsItIsWithoutACopy() {
        EventStream stream = stream(10);
        stream.attach(socket);
        byte[] shared = "e0;e1;e2;".getBytes(StandardCharsets.UTF_8);
        assertTrue(stream.offer(shared, 3));
        stream.flush();
        assertSame(shared, socket.writes.get(0));
        assertEquals(3, stream.waiting());
        socket.takeAll();
        assertEquals(0, stream.waiting());
    }

    @Test
    void eventsTheSocketHasNotTakenCountAgainstTheCapacity() {
        EventStream stream = stream(3);
        stream.attach(socket);
        for (int i = 0; i < 3; i++) {
            assertTrue(stream.offer(event(i)));
            stream.flush();
        }
        assertFalse(stream.offer(event(3)), "three written, none taken: full");
        assertTrue(stream.wasCutOff());
        stream.flush();
        assertTrue(socket.aborted);
        assertEquals(1, closed.get());
        assertFalse(stream.offer(event(4)));
    }

    @Test
    void aReaderThatKeepsUpIsNeverCutOff() {
        EventStream stream = stream(3);
        stream.attach(socket);
        for (int i = 0; i < 100; i++) {
            assertTrue(stream.offer(event(i)));
            stream.flush();
            socket.takeAll();
        }
        assertFalse(stream.wasCutOff());
        assertEquals(100, socket.writes.size());
    }

    @Test
    void commentsDoNotCountAgainstTheCapacity() {
        EventStream stream = stream(1);
        stream.attach(socket);
        assertTrue(stream.offer(SseText.KEEP_ALIVE, 0));
        assertTrue(stream.offer(SseText.KEEP_ALIVE, 0));
        assertTrue(stream.offer(event(0)));
        stream.flush();
        assertFalse(stream.wasCutOff());
    }

    @Test
    void finishEndsTheResponseAfterWhatWaits() {
        EventStream stream = stream(10);
        stream.offer(event(0));
        stream.finish();
        stream.flush();
        assertFalse(socket.ended, "no socket yet");
        stream.attach(socket);
        assertEquals(List.of("e0;"), socket.text());
        assertTrue(socket.ended);
        assertEquals(1, closed.get());
    }

    @Test
    void cancellingClosesOnceAndWritesNothingMore() {
        EventStream stream = stream(3);
        stream.attach(socket);
        stream.cancel();
        stream.cancel();
        assertEquals(1, closed.get());
        assertFalse(stream.offer(event(0)));
        stream.flush();
        assertTrue(socket.writes.isEmpty());
    }
}
