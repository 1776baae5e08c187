package dev.baton.config;

import dev.baton.engine.TaskEvent;
import jakarta.inject.Singleton;
import java.util.concurrent.locks.LockSupport;

/**
 * What lets the {@link EngineTicker} rest while nothing happens: every engine event passes
 * through {@link #accept} (from the event sink, under the engine's lock), which notes that
 * something changed and wakes the ticker if it is resting. A separate bean, because the ticker
 * needs the coordinator, which needs the event sink.
 *
 * <p><b>Cost under load.</b> While the ticker ticks at its normal pace, {@link #accept} is two
 * volatile reads per event and one volatile write per tick; it unparks nothing.
 *
 * <p><b>No lost wake-up.</b> {@link #rest} publishes the resting thread before it checks for a
 * change, and an event sets the change before it reads the thread: either the ticker sees the
 * change and does not park, or the event sees the ticker and unparks it (a permit taken before the
 * park makes the park return at once).
 */
@Singleton
public class TickPacer {

    private volatile boolean changed = true;
    private volatile Thread resting;

    /** Under the engine's lock, for every event: never blocks. */
    public void accept(TaskEvent event) {
        if (!changed) {
            changed = true;
        }
        Thread ticker = resting;
        if (ticker != null) {
            LockSupport.unpark(ticker);
        }
    }

    /** Whether an event came since the last call. */
    boolean takeChanged() {
        if (!changed) {
            return false;
        }
        changed = false;
        return true;
    }

    /** Park the calling thread for {@code millis}, or until an event comes or it is interrupted. */
    void rest(long millis) {
        resting = Thread.currentThread();
        try {
            long until = System.nanoTime() + millis * 1_000_000L;
            for (long left = millis * 1_000_000L; left > 0 && !changed && !Thread.currentThread().isInterrupted();
                    left = until - System.nanoTime()) {
                LockSupport.parkNanos(this, left);
            }
        } finally {
            resting = null;
        }
    }
}
