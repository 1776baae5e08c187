package dev.baton.api;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The read deadlines of the requests whose bodies are still arriving, one list per event loop, in
 * the order they began: every deadline is the same time after its start, so that order is also the
 * order they fall due. A request's entry leaves the list when its answer ends (an unlink, O(1)), and
 * one timer per loop, armed only while the list holds an entry, wakes at the first deadline.
 *
 * <p>Before, each request with a body armed a Vert.x timer of its own and cancelled it at its end:
 * a timer handle, a scheduled task, a map entry and a cancellation per request, about 2 % of the
 * event loop's CPU under load for timers that practically never fire.
 *
 * <p>Used on event loops only: a list and its timer belong to the loop that runs them.
 */
final class BodyDeadlines {

    private static final FastThreadLocal<BodyDeadlines> PER_LOOP = new FastThreadLocal<>();

    private final EventExecutor loop;
    /** The list's sentinel: {@code head.next} is the oldest entry, {@code head.prev} the newest. */
    private final Entry head = new Entry(null, 0);
    private final Runnable sweep = this::sweep;
    private boolean armed;

    private BodyDeadlines(EventExecutor loop) {
        this.loop = loop;
    }

    /**
     * Calls {@code late} with {@code ctx} {@code timeoutNanos} from now, on this event loop, unless
     * the answer to {@code ctx} has ended by then. Must run on the request's event loop.
     */
    static void watch(RoutingContext ctx, long timeoutNanos, Consumer<RoutingContext> late) {
        BodyDeadlines deadlines = PER_LOOP.get();
        if (deadlines == null || !deadlines.loop.inEventLoop()) {
            deadlines = new BodyDeadlines(ContextInternal.current().nettyEventLoop());
            PER_LOOP.set(deadlines);
        }
        deadlines.add(ctx, System.nanoTime() + timeoutNanos, late);
    }

    private void add(RoutingContext ctx, long due, Consumer<RoutingContext> late) {
        Entry entry = new Entry(ctx, due);
        entry.late = late;
        entry.prev = head.prev;
        entry.next = head;
        head.prev.next = entry;
        head.prev = entry;
        ctx.addEndHandler(ended -> {
            if (loop.inEventLoop()) {
                unlink(entry);
            } else {
                loop.execute(() -> unlink(entry));
            }
        });
        if (!armed) {
            armed = true;
            loop.schedule(sweep, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void unlink(Entry entry) {
        if (entry.next == null) {
            return; // already out: it fell due
        }
        entry.prev.next = entry.next;
        entry.next.prev = entry.prev;
        entry.next = null;
        entry.prev = null;
        entry.ctx = null;
    }

    /** Hands every entry that fell due to its callback, then waits for the next one, if any. */
    private void sweep() {
        long now = System.nanoTime();
        while (head.next != head && head.next.due - now <= 0) {
            Entry due = head.next;
            RoutingContext ctx = due.ctx;
            unlink(due);
            due.late.accept(ctx);
        }
        if (head.next == head) {
            armed = false;
        } else {
            loop.schedule(sweep, head.next.due - now, TimeUnit.NANOSECONDS);
        }
    }

    private static final class Entry {
        private final long due;
        private RoutingContext ctx;
        private Consumer<RoutingContext> late;
        private Entry prev = this;
        private Entry next = this;

        Entry(RoutingContext ctx, long due) {
            this.ctx = ctx;
            this.due = due;
        }
    }
}
