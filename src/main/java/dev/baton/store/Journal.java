package dev.baton.store;

import dev.baton.engine.TaskEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The journal writer (docs/redis.md, journal mode): the engine's events go to the Redis Stream in
 * {@code seq} order, with group commit — one XADD carries everything that piled up while the
 * previous one was in flight.
 *
 * <p><b>Threads.</b> {@link #append} runs under the engine's lock and only enqueues. One thread,
 * {@code baton-journal}, takes what is queued, writes it, and completes the {@link #durable}
 * futures of the calls whose events it has written.
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
    private final LinkedBlockingQueue<TaskEvent> queue = new LinkedBlockingQueue<>();
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    private volatile long writtenSeq;
    private volatile long appendedSeq;
    private volatile long failingSinceMillis;
    private volatile boolean running;
    private Thread thread;
    private volatile long entries;

    private record Waiter(long seq, CompletableFuture<Void> done) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter other) {
            return Long.compare(seq, other.seq);
        }
    }

    /**
     * @param outbox the webhook deliveries the events' task ends ask for, written with their entry
     * @param top the id appended last, as recovery found it
     * @param writes held while appending; the store holds it to compare or rewrite what Redis has
     */
    Journal(FencedWrites fence, Outbox outbox, String top, Object writes, Refusals refusals) {
        this.fence = fence;
        this.outbox = outbox;
        this.top = top;
        this.writes = writes;
        this.refusals = refusals;
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
        queue.clear();
        List<Waiter> all;
        synchronized (waiters) {
            all = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter waiter : all) {
            waiter.done.completeExceptionally(abandoned);
        }
    }

    /** Under the engine's lock: enqueue only. */
    void append(TaskEvent event) {
        appendedSeq = event.seq();
        queue.offer(event);
    }

    /** Completes once every event up to {@code seq} is in Redis. */
    CompletableFuture<Void> durable(long seq) {
        if (abandoned != null) {
            return CompletableFuture.failedFuture(abandoned);
        }
        if (seq <= writtenSeq) {
            return CompletableFuture.completedFuture(null);
        }
        Waiter waiter = new Waiter(seq, new CompletableFuture<>());
        synchronized (waiters) {
            if (seq <= writtenSeq) {
                return CompletableFuture.completedFuture(null);
            }
            waiters.add(waiter);
        }
        if (abandoned != null) {
            waiter.done.completeExceptionally(abandoned);
        }
        return waiter.done;
    }

    /** Events already known to be written (after recovery: everything recovered). */
    void markWritten(long seq) {
        written(seq);
    }

    long writtenSeq() {
        return writtenSeq;
    }

    long backlog() {
        return queue.size();
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
    }

    private void run() {
        List<TaskEvent> batch = new ArrayList<>();
        String entry = null;
        List<Outbox.Delivery> deliveries = List.of();
        long backoffMillis = 10;
        while (running) {
            try {
                if (batch.isEmpty()) {
                    TaskEvent first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    // a retry sends the very same entry, so an attempt that was applied is recognised
                    queue.drainTo(batch, MAX_EVENTS_PER_ENTRY - batch.size());
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
                    LOG.infof("journal writes succeed again; backlog %d events", queue.size());
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
        if (seq > writtenSeq) {
            writtenSeq = seq;
        }
        List<Waiter> done = new ArrayList<>();
        synchronized (waiters) {
            while (!waiters.isEmpty() && waiters.peek().seq <= writtenSeq) {
                done.add(waiters.poll());
            }
        }
        for (Waiter waiter : done) {
            waiter.done.complete(null);
        }
    }
}
