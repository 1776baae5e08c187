package dev.baton.store;

import dev.baton.engine.TaskEvent;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The journal writer (DESIGN §7, journal mode): the engine's events go to the Redis Stream in
 * {@code seq} order, with group commit — one XADD carries everything that piled up while the
 * previous one was in flight.
 *
 * <p><b>Threads.</b> {@link #append} runs under the engine's lock and only enqueues. One thread,
 * {@code baton-journal}, takes what is queued, writes it, and completes the {@link #durable}
 * futures of the calls whose events it has written.
 *
 * <p><b>Failures.</b> A write that fails or times out is retried (with backoff) with the same
 * events and more; nothing is dropped, the backlog grows in memory until Redis answers. Each
 * entry's id is the last {@code seq} it carries, so a write that timed out but was applied
 * ("maybe applied") is refused by Redis as an old id when retried — the events are there, which
 * is all that matters, since replay applies an event at most once per task and seq.
 */
final class Journal {

    private static final Logger LOG = Logger.getLogger(Journal.class);
    private static final int MAX_EVENTS_PER_ENTRY = 10_000;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    private final RedisCalls redis;
    private final RedisKeys keys;
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

    Journal(RedisCalls redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Under the engine's lock: enqueue only. */
    void append(TaskEvent event) {
        appendedSeq = event.seq();
        queue.offer(event);
    }

    /** Completes once every event up to {@code seq} is in Redis. */
    CompletableFuture<Void> durable(long seq) {
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
        while (writtenSeq < appendedSeq && healthy() && System.currentTimeMillis() < deadline) {
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
        long backoffMillis = 10;
        while (running) {
            try {
                if (batch.isEmpty()) {
                    TaskEvent first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                queue.drainTo(batch, MAX_EVENTS_PER_ENTRY - batch.size());
                write(batch);
                written(batch.get(batch.size() - 1).seq());
                batch.clear();
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

    private void write(List<TaskEvent> batch) {
        long last = batch.get(batch.size() - 1).seq();
        Request xadd = Request.cmd(Command.XADD).arg(keys.journal()).arg(last + "-0")
                .arg("e").arg(StoreCodec.journalEntry(batch));
        try {
            redis.send(xadd);
            entries++;
        } catch (RuntimeException e) {
            if (isOldId(e)) {
                return; // an earlier attempt was applied after all
            }
            throw e;
        }
    }

    static boolean isOldId(Throwable e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("equal or smaller than the target stream top item");
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
