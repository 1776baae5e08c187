package dev.baton.engine;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The engine's one lock and its notion of now: the only two ways into the engine's state.
 *
 * <ul>
 *   <li>{@link #change} for anything that may move a task or an agent: advances time, runs the
 *   body under the lock, unlocks, then runs the after-change hook (answering parked long-polls),
 *   so no continuation of a caller's future ever runs under the lock. A change made inside
 *   another change (the coordinator's {@code withFinished} calls its own methods) leaves the hook
 *   to the outermost one.</li>
 *   <li>{@link #read} for snapshots: the body runs under the lock and moves nothing.</li>
 * </ul>
 *
 * Time never runs backwards: {@link #now()} is the latest {@code now} any call brought.
 */
final class EngineLock {

    private final ReentrantLock lock = new ReentrantLock();
    private final LongConsumer onAdvance;
    private final Runnable afterChange;
    private long now;

    /**
     * @param onAdvance   told each time {@link #now()} moves forward (under the lock)
     * @param afterChange run after every outermost change, outside the lock
     */
    EngineLock(LongConsumer onAdvance, Runnable afterChange) {
        this.onAdvance = onAdvance;
        this.afterChange = afterChange;
    }

    /** The latest time any call brought; read it only under the lock. */
    long now() {
        return now;
    }

    <T> T change(long now, Supplier<T> body) {
        try {
            return read(now, body);
        } finally {
            if (!lock.isHeldByCurrentThread()) {
                afterChange.run();
            }
        }
    }

    void change(long now, Runnable body) {
        change(now, () -> {
            body.run();
            return null;
        });
    }

    /** A snapshot taken at {@code now} (time advances; nothing moves). */
    <T> T read(long now, Supplier<T> body) {
        lock.lock();
        try {
            advance(now);
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot taken at the latest time seen. */
    <T> T read(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    private void advance(long now) {
        if (now > this.now) {
            this.now = now;
            onAdvance.accept(now);
        }
    }
}
