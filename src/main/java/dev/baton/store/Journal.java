package dev.baton.store;

import dev.baton.engine.TaskEvent;
import io.netty.channel.EventLoop;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.impl.ContextInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The journal writer (docs/redis.md, journal mode): the engine's events go to the Redis Stream in
 * {@code seq} order, with group commit — one XADD carries everything that piled up while the
 * previous one was in flight.
 *
 * <p><b>Threads.</b> {@link #append} runs under the engine's lock and only enqueues. One thread,
 * {@code baton-journal}, takes what is queued, writes it, and completes the calls waiting for the
 * events it has written ({@link #await}).
 *
 * <p><b>Acknowledgements, grouped too.</b> A flush that many calls wait for wakes each event
 * loop they came from once, not once per call: the waiting calls are sorted by event loop and
 * each loop gets one task that completes all of its own, each on the call's own Vert.x context.
 * Nothing is scheduled per call: one timer ({@code baton-journal-acks}) is armed while calls
 * wait, for the earliest deadline, and fails the calls past {@code ack-timeout} when it fires.
 *
 * <p><b>Failures.</b> A write that fails or times out is retried (with backoff) with the same
 * entry; nothing is dropped, the backlog grows in memory until Redis answers. Each entry's id is
 * the last {@code seq} it carries, and the write (one script) appends only on top of the entry this
 * writer appended last: a retried write that had been applied finds its own entry there and counts
 * as written; a journal that is not where this writer left it (Redis lost entries, or holds one
 * this writer did not write) and a fenced epoch (another Baton took over) are refusals, handed to
 * the store (which writes the whole state again, or steps down) — never acknowledged.
 */
final class Journal {

    private static final Logger LOG = Logger.getLogger(Journal.class);
    private static final int MAX_EVENTS_PER_ENTRY = 10_000;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    /** What the store does about a refused append; runs on the journal's thread, holding {@code writes}. */
    interface Refusals {
        void refused(RuntimeException refusal);
    }

    private final FencedWrites fence;
    private final Outbox outbox;
    private final Object writes;
    private final Refusals refusals;
    /** The id this writer appended last ("" when none since the journal was last written whole). */
    private String top;
    /** Events up to this seq are in a whole-state write: not appended again. */
    private volatile long coveredSeq;
    private volatile DurabilityUnavailableException abandoned;
    /** Guarded by itself; an array deque, so that queueing an event allocates nothing. */
    private final ArrayDeque<TaskEvent> queue = new ArrayDeque<>();
    /** Guarded by itself, with {@link #sweep}. */
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    private final long ackTimeoutMillis;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> sweep;
    /** Stopped: nothing answers a new wait any more. Guarded by {@link #waiters}. */
    private boolean stopped;
    private volatile long writtenSeq;
    private volatile long appendedSeq;
    private volatile long failingSinceMillis;
    private volatile boolean running;
    private Thread thread;
    private volatile long entries;

    /** How a waiting call hears the outcome: on the thread that delivers it. */
    private interface Outcome {
        void written();

        void failed(RuntimeException why);
    }

    /**
     * A call waiting for the events up to {@code seq}; {@code context} is the Vert.x context it
     * came from (null: complete on the journal's thread), {@code deadlineNanos} when it fails
     * (unless {@code timed} is false: the checkpoint, which waits with its own timeout).
     */
    private record Waiter(long seq, boolean timed, long deadlineNanos, ContextInternal context, Outcome outcome)
            implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter other) {
            return Long.compare(seq, other.seq);
        }

        void deliver(RuntimeException failure) {
            if (failure == null) {
                outcome.written();
            } else {
                outcome.failed(failure);
            }
        }
    }

    /**
     * @param outbox the webhook deliveries the events' task ends ask for, written with their entry
     * @param top the id appended last, as recovery found it
     * @param writes held while appending; the store holds it to compare or rewrite what Redis has
     */
    Journal(FencedWrites fence, Outbox outbox, String top, Object writes, Refusals refusals, long ackTimeoutMillis) {
        this.fence = fence;
        this.outbox = outbox;
        this.top = top;
        this.writes = writes;
        this.refusals = refusals;
        this.ackTimeoutMillis = ackTimeoutMillis;
    }

    /** Holding {@code writes}: the id this writer appended last. */
    String top() {
        return top;
    }

    /**
     * Holding {@code writes}: the whole state up to {@code seq} was written and the journal
     * emptied; events up to it count as written.
     */
    void rewritten(long seq) {
        top = "";
        coveredSeq = Math.max(coveredSeq, seq);
        written(seq);
    }

    /** This writer lost the lease: nothing more is written, every waiting call fails with {@code why}. */
    void abandon(String why) {
        abandoned = new DurabilityUnavailableException(why);
        running = false;
        synchronized (queue) {
            queue.clear();
        }
        List<Waiter> all;
        synchronized (waiters) {
            all = new ArrayList<>(waiters);
            waiters.clear();
        }
        deliver(all, abandoned);
    }

    /** Under the engine's lock: enqueue only. */
    void append(TaskEvent event) {
        appendedSeq = event.seq();
        synchronized (queue) {
            queue.addLast(event);
            if (queue.size() == 1) {
                queue.notify(); // the writer waits only on an empty queue
            }
        }
    }

    /** Completes once every event up to {@code seq} is in Redis (for the checkpoint: no timeout of its own). */
    CompletableFuture<Void> durable(long seq) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        wait(new Waiter(seq, false, 0, null, new Outcome() {
            @Override
            public void written() {
                done.complete(null);
            }

            @Override
            public void failed(RuntimeException why) {
                done.completeExceptionally(why);
            }
        }));
        return done;
    }

    /**
     * The API's wait: {@code emitter} completes once every event up to {@code seq} is in Redis, on
     * {@code context} (the caller's, or null for any thread), or fails after {@code ack-timeout}.
     */
    void await(long seq, Context context, UniEmitter<? super Void> emitter) {
        await(seq, context, failure -> {
            if (failure == null) {
                emitter.complete(null);
            } else {
                emitter.fail(failure);
            }
        });
    }

    /** As {@link #await(long, Context, UniEmitter)}, telling {@code then} null once written, or the failure. */
    void await(long seq, Context context, Consumer<RuntimeException> then) {
        ContextInternal on = context instanceof ContextInternal internal ? internal : null;
        wait(new Waiter(seq, true, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ackTimeoutMillis), on, new Outcome() {
            @Override
            public void written() {
                then.accept(null);
            }

            @Override
            public void failed(RuntimeException why) {
                then.accept(why);
            }
        }));
    }

    /**
     * Answered at once (on the caller's thread) when abandoned or written already, or when the
     * journal has stopped (nothing would answer it); else queued until written or its deadline.
     */
    private void wait(Waiter waiter) {
        RuntimeException outcome = abandoned;
        if (outcome == null && waiter.seq > writtenSeq) {
            synchronized (waiters) {
                if (waiter.seq > writtenSeq) {
                    if (stopped) {
                        outcome = new DurabilityUnavailableException("Baton is stopping; the change is not acknowledged: "
                                + "retry the call (it is idempotent with an id)");
                    } else {
                        waiters.add(waiter);
                        if (waiter.timed && sweep == null && timer != null) {
                            sweep = timer.schedule(this::sweep, ackTimeoutMillis, TimeUnit.MILLISECONDS);
                        }
                        waiter = null;
                    }
                }
            }
            if (waiter == null) {
                if (abandoned != null) {
                    abandon(abandoned.getMessage()); // abandoned meanwhile: nobody is left waiting
                }
                return;
            }
        }
        waiter.deliver(outcome);
    }

    /** The timer: fails the calls past their deadline, then arms itself for the earliest one left. */
    private void sweep() {
        long now = System.nanoTime();
        List<Waiter> late = new ArrayList<>();
        synchronized (waiters) {
            long next = Long.MAX_VALUE;
            for (Iterator<Waiter> all = waiters.iterator(); all.hasNext(); ) {
                Waiter waiter = all.next();
                if (!waiter.timed) {
                    continue;
                }
                long left = waiter.deadlineNanos - now;
                if (left <= 0) {
                    all.remove();
                    late.add(waiter);
                } else {
                    next = Math.min(next, left);
                }
            }
            sweep = next == Long.MAX_VALUE || timer == null ? null : timer.schedule(this::sweep, next, TimeUnit.NANOSECONDS);
        }
        deliver(late, new DurabilityUnavailableException("Redis did not confirm the change within " + ackTimeoutMillis
                + " ms; it is kept in memory and will be written when Redis answers, "
                + "but it is not acknowledged: retry the call (it is idempotent with an id)"));
    }

    /** Events already known to be written (after recovery: everything recovered). */
    void markWritten(long seq) {
        written(seq);
    }

    long writtenSeq() {
        return writtenSeq;
    }

    long backlog() {
        synchronized (queue) {
            return queue.size();
        }
    }

    long entries() {
        return entries;
    }

    /** False while writes have been failing: readiness reports it. */
    boolean healthy() {
        return failingSinceMillis == 0;
    }

    synchronized void start() {
        if (thread != null) {
            return;
        }
        synchronized (waiters) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread acks = new Thread(r, "baton-journal-acks");
                acks.setDaemon(true);
                return acks;
            });
        }
        running = true;
        thread = new Thread(this::run, "baton-journal");
        thread.setDaemon(true);
        thread.start();
    }

    /** Write what is queued (waiting up to {@code waitMillis}), then stop. Safe to call twice. */
    synchronized void stop(long waitMillis) {
        if (thread == null) {
            return;
        }
        long deadline = System.currentTimeMillis() + waitMillis;
        while (writtenSeq < appendedSeq && healthy() && abandoned == null && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(5); // shutdown only: the writer drains the queue meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        running = false;
        thread.interrupt();
        thread = null;
        List<Waiter> left;
        synchronized (waiters) {
            timer.shutdownNow();
            timer = null;
            sweep = null;
            stopped = true;
            left = new ArrayList<>(waiters);
            waiters.removeIf(waiter -> waiter.timed); // the checkpoint's own wait has its own timeout
        }
        left.removeIf(waiter -> !waiter.timed);
        deliver(left, new DurabilityUnavailableException("Baton is stopping and Redis did not confirm the change; "
                + "it is not acknowledged: retry the call (it is idempotent with an id)"));
    }

    private void run() {
        List<TaskEvent> batch = new ArrayList<>();
        String entry = null;
        List<Outbox.Delivery> deliveries = List.of();
        long backoffMillis = 10;
        while (running) {
            try {
                if (batch.isEmpty()) {
                    synchronized (queue) {
                        if (queue.isEmpty()) {
                            queue.wait(1_000);
                        }
                        // a retry sends the very same entry, so an attempt that was applied is recognised
                        while (!queue.isEmpty() && batch.size() < MAX_EVENTS_PER_ENTRY) {
                            batch.add(queue.pollFirst());
                        }
                    }
                    if (batch.isEmpty()) {
                        continue;
                    }
                    entry = null;
                }
                synchronized (writes) {
                    long covered = coveredSeq;
                    if (batch.get(0).seq() <= covered) {
                        keepDeliveries(batch.stream().filter(event -> event.seq() <= covered).toList());
                        batch.removeIf(event -> event.seq() <= covered);
                        entry = null;
                    }
                    if (batch.isEmpty()) {
                        written(covered);
                        continue;
                    }
                    if (entry == null) {
                        entry = StoreCodec.journalEntry(batch);
                        deliveries = outbox.of(batch);
                    }
                    long last = batch.get(batch.size() - 1).seq();
                    try {
                        fence.appendJournal(top, last + "-0", entry, Outbox.fields(deliveries));
                    } catch (FencedWrites.FencedException | FencedWrites.RedisBehindException refused) {
                        refusals.refused(refused);
                        throw refused; // retried after a pause, once the store has dealt with it
                    }
                    top = last + "-0";
                    entries++;
                    outbox.written(deliveries);
                    written(last);
                }
                batch.clear();
                entry = null;
                backoffMillis = 10;
                if (failingSinceMillis != 0) {
                    LOG.infof("journal writes succeed again; backlog %d events", backlog());
                    failingSinceMillis = 0;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (failingSinceMillis == 0) {
                    failingSinceMillis = System.currentTimeMillis();
                    LOG.warnf("journal write failed, retrying until Redis answers: %s", e.toString());
                }
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
            }
        }
    }

    /**
     * Events a whole-state write covered are not appended, but the deliveries their task ends ask
     * for are not in that write: they go to the outbox on their own.
     */
    private void keepDeliveries(List<TaskEvent> covered) {
        List<Outbox.Delivery> kept = outbox.of(covered);
        if (!kept.isEmpty()) {
            FencedWrites.Commands commands = new FencedWrites.Commands();
            outbox.add(commands, kept);
            fence.run(commands);
            outbox.written(kept);
        }
    }

    private void written(long seq) {
        List<Waiter> done = null;
        synchronized (waiters) {
            if (seq > writtenSeq) {
                writtenSeq = seq;
            }
            while (!waiters.isEmpty() && waiters.peek().seq <= writtenSeq) {
                if (done == null) {
                    done = new ArrayList<>();
                }
                done.add(waiters.poll());
            }
        }
        if (done != null) {
            deliver(done, null);
        }
    }

    /**
     * Tells each waiter its outcome ({@code failure}, or null: written): at once when it came from
     * no event loop, else with one task per event loop for all of that loop's waiters.
     */
    private static void deliver(List<Waiter> done, RuntimeException failure) {
        List<EventLoop> loops = null;
        List<List<Waiter>> byLoop = null;
        for (Waiter waiter : done) {
            ContextInternal context = waiter.context;
            if (context == null) {
                waiter.deliver(failure);
            } else if (!context.isEventLoopContext()) {
                context.runOnContext(v -> waiter.deliver(failure)); // a worker: its own thread, not the loop's
            } else {
                if (loops == null) {
                    loops = new ArrayList<>(4);
                    byLoop = new ArrayList<>(4);
                }
                EventLoop loop = context.nettyEventLoop();
                int at = loops.indexOf(loop);
                if (at < 0) {
                    at = loops.size();
                    loops.add(loop);
                    byLoop.add(new ArrayList<>());
                }
                byLoop.get(at).add(waiter);
            }
        }
        for (int i = 0; loops != null && i < loops.size(); i++) {
            List<Waiter> mine = byLoop.get(i);
            loops.get(i).execute(() -> {
                for (Waiter waiter : mine) {
                    waiter.context.dispatch(v -> waiter.deliver(failure));
                }
            });
        }
    }
}
