package dev.baton.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One SSE subscriber: a bounded buffer between the hub and the HTTP response, which the HTTP layer
 * {@link #attach}es as a {@link Sink}.
 *
 * <p><b>What is written.</b> Events arrive already in SSE form ({@link SseText}), encoded once for
 * every subscriber. Each {@link #flush} writes everything queued since the last one as one chunk
 * (one socket write for a whole dispatch batch, not one per event); a chunk the hub shares among
 * subscribers is written as it is, without a copy.
 *
 * <p><b>Threads.</b> The hub {@link #offer}s from its dispatcher's event loop (or the subscribing thread,
 * for a replay) under its lock, which only queues, then flushes outside it: the write takes the HTTP
 * connection's lock, so doing it under the hub's would deadlock against an event loop that
 * subscribes. Flushes run in whichever thread finds work, serialised by the {@code wip} counter
 * (the usual queue-drain loop), so writes never interleave and keep their order.
 *
 * <p><b>Falling behind.</b> Events written but not yet taken by the socket count against
 * {@code capacity}, as do events queued: a client that does not read stops its writes completing,
 * and once {@code capacity} events wait the stream is cut off: the connection is dropped and what
 * waits with it. {@link #finish} instead ends the response after what waits (a task's stream after
 * its terminal event).
 */
public final class EventStream {

    /** The HTTP response under a stream. Every method may be called from any thread. */
    public interface Sink {
        /** Write a chunk; {@code written} runs once it has gone to the socket, or failed. */
        void write(byte[] chunk, Runnable written);

        /** End the response after what was written. */
        void end();

        /** Drop the connection at once: the subscriber is cut off. */
        void abort();

        /**
         * The thread that writes to this socket (its event loop): the hub hands each such thread
         * the flushes of all its streams at once, so a batch costs one hand-over per thread, not
         * one per subscriber, and writes made there go straight to the socket.
         */
        default Executor executor() {
            return DIRECT;
        }
    }

    static final Executor DIRECT = Runnable::run;
    private static final Runnable NOTHING = () -> { };

    /** Bytes for {@code items} events (0 for a comment). */
    private record Chunk(byte[] bytes, int items) {
    }

    private final Filter filter;
    private final int capacity;
    private final Runnable onClose;
    private final ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>();
    /** Events queued here or written and not yet taken by the socket. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Sink sink;
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

    /** One event's SSE text; false (and the stream cut off) when {@code capacity} events already wait. */
    boolean offer(byte[] event) {
        return offer(event, 1);
    }

    /**
     * {@code items} events as one chunk (the hub's shared batch) or a comment ({@code items} 0);
     * false, and the stream cut off, when they would pass {@code capacity}. Only queues: the caller
     * may hold a lock, and writing takes the HTTP connection's lock — the caller {@link #flush}es
     * once it holds none.
     */
    boolean offer(byte[] chunk, int items) {
        if (isDone()) {
            return false;
        }
        if (waiting.get() + items > capacity) {
            cut = true;
            return false;
        }
        waiting.addAndGet(items);
        queue.offer(new Chunk(chunk, items));
        return true;
    }

    /** End once what waits is written (at the next {@link #flush}). */
    void finish() {
        finishing = true;
    }

    boolean wasCutOff() {
        return cut;
    }

    /** The HTTP layer's response, once its head can go out; what queued meanwhile is written now. */
    public void attach(Sink sink) {
        this.sink = sink;
        flush();
    }

    /** Where this stream's flushes should run; see {@link Sink#executor}. */
    Executor executor() {
        Sink target = sink;
        return target == null ? DIRECT : target.executor();
    }

    /** Something waits to be written, or to end the stream. */
    boolean hasWork() {
        return !queue.isEmpty() || finishing || cut;
    }

    /** The client went away. */
    public void cancel() {
        cancelled = true;
        close();
    }

    /** Write what waits as one chunk; call holding no lock. */
    void flush() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            Sink target = sink;
            if (target != null && !closed.get()) {
                if (cut) {
                    close();
                    target.abort();
                    return;
                }
                if (cancelled) {
                    return;
                }
                writeQueued(target);
                if (finishing && queue.isEmpty()) {
                    close();
                    target.end();
                    return;
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** Everything queued as one write; a single chunk (the hub's shared batch, most often) as it is, without a copy. */
    private void writeQueued(Sink target) {
        Chunk first = queue.poll();
        if (first == null) {
            return;
        }
        Chunk second = queue.poll();
        if (second == null) {
            write(target, first.bytes, first.items);
            return;
        }
        List<Chunk> chunks = new ArrayList<>();
        chunks.add(first);
        for (Chunk c = second; c != null; c = queue.poll()) {
            chunks.add(c);
        }
        int items = 0;
        int length = 0;
        for (Chunk c : chunks) {
            items += c.items;
            length += c.bytes.length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (Chunk c : chunks) {
            System.arraycopy(c.bytes, 0, joined, at, c.bytes.length);
            at += c.bytes.length;
        }
        write(target, joined, items);
    }

    private void write(Sink target, byte[] bytes, int items) {
        target.write(bytes, items == 0 ? NOTHING : () -> waiting.addAndGet(-items));
    }

    private void close() {
        if (closed.compareAndSet(false, true)) {
            queue.clear();
            onClose.run();
        }
    }

    /** Events queued or not yet taken by the socket (for tests). */
    int waiting() {
        return waiting.get();
    }

    /** What a subscriber asked for: kinds, task type, agent, one task. Null means any. */
    public record Filter(Set<String> kinds, String taskType, String agentId, String taskId) {

        public static final Filter ALL = new Filter(null, null, null, null);

        boolean matchesEverything() {
            return kinds == null && taskType == null && agentId == null && taskId == null;
        }

        boolean matches(Published event) {
            return (kinds == null || kinds.contains(event.event().type().wireName()))
                    && (taskType == null || taskType.equals(event.event().taskType()))
                    && (agentId == null || agentId.equals(event.event().agentId()))
                    && (taskId == null || taskId.equals(event.event().taskId()));
        }
    }
}
