package dev.baton.events;

import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One SSE subscriber: a {@link Flow.Publisher} with a bounded buffer between the hub and the HTTP
 * response.
 *
 * <p><b>Threads.</b> The hub {@link #offer}s from its dispatcher thread (or from the subscribing
 * thread, for the replay) under its lock, which only queues, then {@link #flush}es outside it:
 * delivery writes to the socket and takes the HTTP connection's lock, so doing it under the hub's
 * lock would deadlock against an event loop that subscribes. The HTTP layer {@link #request}s one
 * item per completed socket write, from its event loop. Delivery runs in whichever thread finds
 * work, serialised by the {@code wip} counter (the usual queue-drain loop), so onNext is never
 * concurrent.
 *
 * <p><b>Falling behind.</b> A client that does not read stops the socket writes completing, so
 * demand stops; once {@code capacity} items wait, the stream is {@link #cutOff}: what waits is
 * dropped and the response completes. {@link #finish} instead completes after what waits is sent
 * (a task's stream after its terminal event).
 */
public final class EventStream implements Flow.Publisher<SseItem>, Flow.Subscription {

    private final Filter filter;
    private final int capacity;
    private final Runnable onClose;
    private final ConcurrentLinkedQueue<SseItem> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Flow.Subscriber<? super SseItem> downstream;
    private volatile boolean finishing;
    private volatile boolean cut;
    private volatile boolean cancelled;
    /** The hub checks, once it has dispatched this seq, that a finished task's stream got its end. */
    volatile long checkEndAtSeq = -1;
    volatile Published fallbackEnd;

    EventStream(Filter filter, int capacity, Runnable onClose) {
        this.filter = filter;
        this.capacity = capacity;
        this.onClose = onClose;
    }

    Filter filter() {
        return filter;
    }

    boolean isDone() {
        return finishing || cut || cancelled;
    }

    /**
     * Queue an item; false (and the stream cut off) when {@code capacity} items already wait. Only
     * queues: the caller may hold a lock, and delivery writes to the socket, which takes the HTTP
     * connection's lock — the caller {@link #flush}es once it holds none.
     */
    boolean offer(SseItem item) {
        if (isDone()) {
            return false;
        }
        if (size.get() >= capacity) {
            cut = true;
            return false;
        }
        queue.offer(item);
        size.incrementAndGet();
        return true;
    }

    /** Complete once what waits is delivered (at the next {@link #flush}). */
    void finish() {
        finishing = true;
    }

    /** Deliver what waits, as far as demand goes; call holding no lock. */
    void flush() {
        drain();
    }

    boolean wasCutOff() {
        return cut;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super SseItem> subscriber) {
        if (downstream != null) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("an event stream has one subscriber"));
            return;
        }
        downstream = subscriber;
        subscriber.onSubscribe(this);
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            cancel();
            return;
        }
        requested.getAndAccumulate(n, (current, add) -> current + add < 0 ? Long.MAX_VALUE : current + add);
        drain();
    }

    @Override
    public void cancel() {
        cancelled = true;
        close();
    }

    private void close() {
        if (closed.compareAndSet(false, true)) {
            queue.clear();
            onClose.run();
        }
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            Flow.Subscriber<? super SseItem> target = downstream;
            if (target != null) {
                if (cancelled) {
                    return;
                }
                if (cut) {
                    close();
                    target.onComplete();
                    cancelled = true;
                    return;
                }
                long wanted = requested.get();
                long sent = 0;
                while (sent != wanted && !cancelled && !cut) {
                    SseItem item = queue.poll();
                    if (item == null) {
                        break;
                    }
                    size.decrementAndGet();
                    target.onNext(item);
                    sent++;
                }
                if (sent != 0 && wanted != Long.MAX_VALUE) {
                    requested.addAndGet(-sent);
                }
                if (finishing && queue.isEmpty() && !cancelled) {
                    close();
                    target.onComplete();
                    cancelled = true;
                    return;
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** What a subscriber asked for: kinds, task type, agent, one task. Null means any. */
    public record Filter(Set<String> kinds, String taskType, String agentId, String taskId) {

        public static final Filter ALL = new Filter(null, null, null, null);

        boolean matches(Published event) {
            return (kinds == null || kinds.contains(event.wire().event()))
                    && (taskType == null || taskType.equals(event.event().taskType()))
                    && (agentId == null || agentId.equals(event.event().agentId()))
                    && (taskId == null || taskId.equals(event.event().taskId()));
        }
    }
}
