package dev.baton.store;

import dev.baton.engine.TaskEvent;
import io.netty.channel.EventLoop;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The journal writer (docs/redis.md, journal mode): the engine's events go to the Redis Stream in
 * {@code seq} order, with group commit — one XADD carries everything that piled up while the
 * previous one was in flight.
 *
 * <p><b>Threads.</b> {@link #append} runs under the engine's lock and only enqueues. The writing
 * runs on one Vert.x event loop, the journal's ({@code home}), without a thread of its own: an
 * append that finds the writer idle asks that loop to write (from the loop itself this costs no
 * wake-up: the write goes out once the loop has read what came in), and each answer from Redis
 * writes what piled up meanwhile. With one event loop the whole hot path — request, engine,
 * journal write, answer — runs on one thread with no hand-off.
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
 *
 * <p><b>Notifications.</b> With {@link JournalNotices} (Redis pub/sub on), each entry carries
 * its events' notifications, published by the same script once it is appended: no call of their
 * own, in the journal's order, and only for durable changes. A retry carries the same ones, and a
 * retry that finds its entry already there publishes nothing again.
 *
 * <p><b>The store's turn.</b> The store compares or rewrites what Redis holds holding
 * {@code writes} ({@link #holding}): no write starts meanwhile, and the one in flight is waited
 * for first; the writer resumes when the store lets go.
 */
final class Journal {

    private static final Logger LOG = Logger.getLogger(Journal.class);
    private static final int MAX_EVENTS_PER_ENTRY = 10_000;
    /**
     * With notices, fewer: each event adds two messages to the script call, which Redis runs
     * whole, and a call of a few milliseconds lets other clients' commands wait little.
     */
    private static final int MAX_EVENTS_PER_NOTIFIED_ENTRY = 1_024;
    /**
     * While the messages are sent, every this many writes ask Redis whether anyone listens (a few
     * {@code PUBSUB} calls in the script: not every write, which a busy channel would cost).
     */
    static final int LOOK_EVERY = 32;
    /** The room entries are written into, kept from one to the next; past {@link #MAX_SCRATCH_BYTES} it is let go. */
    private static final int SCRATCH_BYTES = 64 * 1024;
    private static final int MAX_SCRATCH_BYTES = 4 * 1024 * 1024;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    /** What the store does about a refused append; runs on the journal's event loop: it must not block. */
    interface Refusals {
        void refused(RuntimeException refusal);
    }

    private final FencedWrites fence;
    private final Outbox outbox;
    private final ReentrantLock writes;
    private final Refusals refusals;
    private final Vertx vertx;
    /** The id this writer appended last ("" when none since the journal was last written whole); see {@link #idle}. */
    private volatile String top;
    /** Events up to this seq are in a whole-state write: not appended again. */
    private volatile long coveredSeq;
    /** Counts whole-state writes: an answer to a write sent before one does not move {@link #top}. */
    private volatile long generation;
    private volatile DurabilityUnavailableException abandoned;
    /** Guarded by itself, with {@link #flushing}; an array deque, so that queueing an event allocates nothing. */
    private final ArrayDeque<TaskEvent> queue = new ArrayDeque<>();
    /** A flush is asked for, in flight, or waiting out a backoff; guarded by {@link #queue}. */
    private boolean flushing;
    /** Guarded by itself: a write is in flight (the store waits for it to end before its own). */
    private final Object idle = new Object();
    private boolean inFlight;
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
    private volatile long entries;
    /** The journal's event loop; set by {@link #start}. */
    private volatile ContextInternal home;
    /** Redis pub/sub: the events' notifications go with their entry; null when Baton does not publish to Redis. */
    private volatile JournalNotices notices;
    private final Runnable flushTask = this::flush;

    // The write under way: touched on the home loop only.
    private final List<TaskEvent> batch = new ArrayList<>();
    /** The entry under way, as the bytes that go to Redis (a retry sends these very bytes). */
    private byte[] entry;
    /** Where entries are written before their bytes are copied out: the same room for every entry, under {@link #writes}. */
    private JsonBytes scratch = new JsonBytes(SCRATCH_BYTES);
    private List<Outbox.Delivery> deliveries = List.of();
    /** The notices the write under way carries (channel, message, ...), and whom to tell how it went. */
    private List<String> messages = List.of();
    private JournalNotices carrying;
    /** The write under way holds its messages back: the last write found nobody listening. */
    private boolean held;
    /** Nobody listened on the notices' channels when Redis last looked: hold the next entry's messages back. */
    private boolean hold;
    /** Writes since Redis last looked whether anyone listens, while the messages are sent (the first write looks). */
    private int sinceLook = LOOK_EVERY - 1;
    /** False once Redis said this user may not ask whether anyone listens: every message is sent. */
    private boolean looking = true;
    private long backoffMillis = 10;
    private long attempt;

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
     * @param writes held by the store to compare or rewrite what Redis has ({@link #holding})
     * @param vertx the journal's event loop is one of its own
     */
    Journal(FencedWrites fence, Outbox outbox, String top, ReentrantLock writes, Refusals refusals, long ackTimeoutMillis,
            Vertx vertx) {
        this.fence = fence;
        this.outbox = outbox;
        this.top = top;
        this.writes = writes;
        this.refusals = refusals;
        this.ackTimeoutMillis = ackTimeoutMillis;
        this.vertx = vertx;
    }

    /** From now on each entry carries its events' notifications ({@link JournalNotices}). */
    void notifyWith(JournalNotices target) {
        notices = target;
    }

    /** Holding {@code writes}: the id this writer appended last. */
    String top() {
        return top;
    }

    /**
     * Runs {@code work} holding {@code writes}, once the write in flight (if any) has ended; no
     * write starts until it returns. Never on an event loop (the work blocks on Redis).
     */
    <T> T holding(Supplier<T> work) {
        writes.lock();
        try {
            awaitIdle();
            return work.get();
        } finally {
            writes.unlock();
            resume();
        }
    }

    /** Holding {@code writes}: waits for the write in flight to be answered or time out. */
    private void awaitIdle() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * ackTimeoutMillis + 100);
        synchronized (idle) {
            while (inFlight) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("the journal write in flight did not end in time; the store goes ahead");
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Holding {@code writes}: the whole state up to {@code seq} was written and the journal
     * emptied; events up to it count as written.
     */
    void rewritten(long seq) {
        generation++;
        top = "";
        coveredSeq = Math.max(coveredSeq, seq);
        written(seq);
    }

    /** This writer lost the lease: nothing more is written, every waiting call fails with {@code why}. */
    void abandon(String why) {
        abandoned = new DurabilityUnavailableException(why);
        running = false;
        List<TaskEvent> unwritten;
        synchronized (queue) {
            unwritten = new ArrayList<>(queue);
            queue.clear();
        }
        JournalNotices told = notices;
        if (told != null && !unwritten.isEmpty()) {
            told.sent(unwritten, abandoned); // their notifications never go out
        }
        List<Waiter> all;
        synchronized (waiters) {
            all = new ArrayList<>(waiters);
            waiters.clear();
        }
        deliver(all, abandoned);
    }

    /** Under the engine's lock: enqueue, and ask the journal's loop to write when it is idle. */
    void append(TaskEvent event) {
        appendedSeq = event.seq();
        boolean ask;
        synchronized (queue) {
            queue.addLast(event);
            ask = !flushing && running;
            if (ask) {
                flushing = true;
            }
        }
        if (ask) {
            // from the loop itself: runs after what it is handling now, with no wake-up
            home.nettyEventLoop().execute(flushTask);
        }
    }

    /** After the store's turn: write what piled up meanwhile. */
    private void resume() {
        ContextInternal loop = home;
        boolean ask;
        synchronized (queue) {
            ask = !flushing && running && loop != null;
            if (ask) {
                flushing = true;
            }
        }
        if (ask) {
            loop.nettyEventLoop().execute(flushTask);
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
        if (home != null) {
            return;
        }
        synchronized (waiters) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread acks = new Thread(r, "baton-journal-acks");
                acks.setDaemon(true);
                return acks;
            });
        }
        home = (ContextInternal) vertx.getOrCreateContext();
        running = true;
        resume();
    }

    /** Write what is queued (waiting up to {@code waitMillis}), then stop. Safe to call twice. */
    synchronized void stop(long waitMillis) {
        if (home == null || timer == null) {
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

    /**
     * On the home loop: sends the write under way again (a retry sends the very same entry, so an
     * attempt that was applied is recognised), or the next one from what is queued; marks the
     * writer idle when nothing is left.
     */
    private void flush() {
        if (!running) {
            synchronized (queue) {
                flushing = false;
            }
            if (!batch.isEmpty()) {
                unsent(batch, "this Baton stopped writing before Redis took their journal entry");
                batch.clear();
                entry = null;
            }
            return;
        }
        if (!writes.tryLock()) {
            synchronized (queue) {
                flushing = false; // the store's turn: it resumes the writer when done
            }
            return;
        }
        long last;
        String previous;
        FencedWrites.PubSub pubSub;
        try {
            if (batch.isEmpty()) {
                int most = notices == null ? MAX_EVENTS_PER_ENTRY : MAX_EVENTS_PER_NOTIFIED_ENTRY;
                synchronized (queue) {
                    while (!queue.isEmpty() && batch.size() < most) {
                        batch.add(queue.pollFirst());
                    }
                    if (batch.isEmpty()) {
                        flushing = false;
                        return;
                    }
                }
                entry = null;
            }
            long covered = coveredSeq;
            if (batch.get(0).seq() <= covered) {
                keepDeliveries(covered);
                return;
            }
            if (entry == null) {
                entry = StoreCodec.journalBytes(batch, StoreCodec.PARALLEL_FROM, scratch);
                if (scratch.capacity() > MAX_SCRATCH_BYTES) {
                    scratch = new JsonBytes(SCRATCH_BYTES); // a rare large entry's room is not kept
                }
                deliveries = outbox.of(batch);
                carrying = notices;
                messages = List.of();
                held = carrying != null && hold && !carrying.channels().isEmpty();
                if (carrying != null && !held) {
                    messages = new ArrayList<>(4 * batch.size());
                    carrying.messages(batch, messages);
                }
            } else if (held && !hold) { // someone listens now: the entry goes again, with its messages
                held = false;
                messages = new ArrayList<>(4 * batch.size());
                carrying.messages(batch, messages);
            }
            pubSub = pubSub();
            last = batch.get(batch.size() - 1).seq();
            previous = top;
            synchronized (idle) {
                inFlight = true;
            }
        } finally {
            writes.unlock();
        }
        long sent = ++attempt;
        long sentGeneration = generation;
        EventLoop loop = home.nettyEventLoop();
        ScheduledFuture<?> timeout = loop.schedule(() -> answered(sent, sentGeneration, last,
                io.vertx.core.Future.failedFuture(new IllegalStateException("Redis did not answer the journal write within "
                        + ackTimeoutMillis + " ms"))), ackTimeoutMillis, TimeUnit.MILLISECONDS);
        fence.appendJournalAsync(previous, last + "-0", entry, Outbox.fields(deliveries), pubSub).onComplete(result -> {
            timeout.cancel(false);
            if (loop.inEventLoop()) {
                answered(sent, sentGeneration, last, result);
            } else {
                loop.execute(() -> answered(sent, sentGeneration, last, result)); // the connection is another loop's
            }
        });
    }

    /**
     * The write's messages, or none when held back; with the channels they go to while they are held
     * and every {@link #LOOK_EVERY}th write while they are sent, so that Redis says whether anyone
     * listens. A message nobody can hear need not be sent: with no subscriber, the messages cost
     * neither Baton's nor Redis' time, and the first subscriber has them from the next write on.
     */
    private FencedWrites.PubSub pubSub() {
        if (carrying == null) {
            return FencedWrites.PubSub.NONE;
        }
        boolean look = held || looking && ++sinceLook >= LOOK_EVERY;
        if (look) {
            sinceLook = 0;
        }
        return new FencedWrites.PubSub(messages, held, look ? carrying.channels() : List.of());
    }

    /**
     * On the home loop (as everything that touches the write under way): Redis answered attempt
     * {@code sent}, or it timed out; on to the next write, or the same again after a pause.
     */
    private void answered(long sent, long sentGeneration, long last, AsyncResult<FencedWrites.Appended> result) {
        if (sent != attempt) {
            return; // timed out before: the retry stands for it
        }
        attempt++; // a late answer to this attempt is not taken again
        if (result.succeeded() && result.result().heard()) {
            synchronized (idle) {
                inFlight = false;
                idle.notifyAll();
            }
            hold = false; // nothing was written: the same entry again, with its messages
            flush();
            return;
        }
        if (result.succeeded()) {
            hold = result.result().quiet();
            if (result.result().unknowable() && looking) {
                looking = false;
                LOG.infof("Redis does not let Baton ask whether anyone listens on its pub/sub channels (INFO or PUBSUB "
                        + "not allowed): every message is sent; allow +info +pubsub|numpat +pubsub|numsub +pubsub|channels "
                        + "to skip the messages nobody could hear (docs/operations.md)");
            }
            synchronized (idle) {
                if (generation == sentGeneration) {
                    top = last + "-0";
                }
                entries++;
                inFlight = false;
                idle.notifyAll();
            }
            outbox.written(deliveries);
            if (carrying != null) {
                String refusal = result.result().refusal();
                carrying.sent(batch, refusal == null ? null : new IllegalStateException(refusal));
            }
            batch.clear();
            entry = null;
            deliveries = List.of();
            messages = List.of();
            carrying = null;
            held = false;
            backoffMillis = 10;
            if (failingSinceMillis != 0) {
                LOG.infof("journal writes succeed again; backlog %d events", backlog());
                failingSinceMillis = 0;
            }
            written(last);
            flush();
            return;
        }
        synchronized (idle) {
            inFlight = false;
            idle.notifyAll();
        }
        Throwable failure = result.cause();
        if (failure instanceof FencedWrites.FencedException || failure instanceof FencedWrites.RedisBehindException) {
            refusals.refused((RuntimeException) failure); // retried after a pause, once the store has dealt with it
        } else if (failingSinceMillis == 0) {
            failingSinceMillis = System.currentTimeMillis();
            LOG.warnf("journal write failed, retrying until Redis answers: %s", failure.toString());
        }
        retryLater();
    }

    private void retryLater() {
        long pause = backoffMillis;
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        home.nettyEventLoop().schedule(flushTask, pause, TimeUnit.MILLISECONDS);
    }

    /**
     * Events a whole-state write covered are not appended, but the deliveries their task ends ask
     * for are not in that write: they go to the outbox on their own (on a worker: the write
     * blocks), and the writer goes on without those events once they are there.
     */
    private void keepDeliveries(long covered) {
        List<TaskEvent> done = new ArrayList<>();
        for (TaskEvent event : batch) {
            if (event.seq() <= covered) {
                done.add(event);
            }
        }
        List<Outbox.Delivery> kept = outbox.of(done);
        if (kept.isEmpty()) {
            dropCovered(covered);
            return;
        }
        synchronized (idle) {
            inFlight = true;
        }
        home.executeBlocking(() -> {
            FencedWrites.Commands commands = new FencedWrites.Commands();
            outbox.add(commands, kept);
            fence.run(commands);
            outbox.written(kept);
            return null;
        }, false).onComplete(result -> home.nettyEventLoop().execute(() -> {
            synchronized (idle) {
                inFlight = false;
                idle.notifyAll();
            }
            if (result.succeeded()) {
                dropCovered(covered);
            } else {
                LOG.warnf("journal: writing the deliveries of events a whole-state write covered failed, retrying: %s",
                        result.cause().toString());
                retryLater();
            }
        }));
    }

    /** On the home loop: the events up to {@code covered} count as written, and the writer goes on. */
    private void dropCovered(long covered) {
        List<TaskEvent> gone = new ArrayList<>();
        for (TaskEvent event : batch) {
            if (event.seq() <= covered) {
                gone.add(event);
            }
        }
        unsent(gone, "a whole-state write took the place of their journal entry");
        batch.removeIf(event -> event.seq() <= covered);
        entry = null;
        written(covered);
        home.nettyEventLoop().execute(flushTask);
    }

    /** On the home loop: the notices of {@code events} will never go out (the events are written, or no longer this writer's). */
    private void unsent(List<TaskEvent> events, String why) {
        JournalNotices told = carrying != null ? carrying : notices;
        if (told != null && !events.isEmpty()) {
            told.sent(events, new IllegalStateException(why));
        }
        messages = List.of();
        carrying = null;
        held = false;
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
     * no event loop, else with one task per event loop for all of that loop's waiters (run in
     * place when that loop is this thread).
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
            Runnable each = () -> {
                for (Waiter waiter : mine) {
                    waiter.context.dispatch(v -> waiter.deliver(failure));
                }
            };
            if (loops.get(i).inEventLoop()) {
                each.run();
            } else {
                loops.get(i).execute(each);
            }
        }
    }
}
