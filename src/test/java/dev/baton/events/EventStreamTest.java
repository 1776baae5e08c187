package dev.baton.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One subscriber's bounded stream: delivery follows demand, a full buffer cuts it off, finish drains first. */
class EventStreamTest {

    /** Requests nothing until told. */
    private static final class Reader implements Flow.Subscriber<SseItem> {
        final List<SseItem> items = new ArrayList<>();
        Flow.Subscription subscription;
        boolean completed;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(SseItem item) {
            items.add(item);
        }

        @Override
        public void onError(Throwable failure) {
            throw new AssertionError(failure);
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }

    private final AtomicInteger closed = new AtomicInteger();
    private final Reader reader = new Reader();

    /** A stream of this capacity with {@link #reader} subscribed, and {@code queued} items offered. */
    private EventStream stream(int capacity, int queued) {
        EventStream stream = new EventStream(EventStream.Filter.ALL, capacity, closed::incrementAndGet);
        stream.subscribe(reader);
        for (int i = 0; i < queued; i++) {
            assertTrue(stream.offer(item(i)));
        }
        return stream;
    }

    private static SseItem item(int n) {
        return new SseItem(Integer.toString(n), "task.queued", "{}", null);
    }

    @Test
    void deliversAsFarAsDemandGoes() {
        EventStream stream = stream(10, 5);
        stream.flush();
        assertEquals(0, reader.items.size());
        reader.subscription.request(3);
        assertEquals(List.of("0", "1", "2"), reader.items.stream().map(SseItem::id).toList());
        stream.finish();
        stream.flush();
        assertFalse(reader.completed, "two still wait");
        reader.subscription.request(10);
        assertEquals(5, reader.items.size());
        assertTrue(reader.completed);
        assertEquals(1, closed.get());
    }

    @Test
    void aFullBufferCutsTheStreamOffAndDropsWhatWaits() {
        EventStream stream = stream(3, 3);
        assertFalse(stream.offer(item(3)));
        assertTrue(stream.wasCutOff());
        stream.flush();
        assertTrue(reader.completed);
        assertEquals(0, reader.items.size());
        assertEquals(1, closed.get());
        assertFalse(stream.offer(item(4)));
    }

    @Test
    void cancellingClosesOnce() {
        EventStream stream = stream(3, 0);
        reader.subscription.cancel();
        reader.subscription.cancel();
        assertEquals(1, closed.get());
        assertFalse(stream.offer(item(0)));
    }
}
