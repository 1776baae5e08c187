package dev.baton.config;

import dev.baton.engine.Coordinator;
import dev.baton.store.Store;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The engine's timer loop, on its own thread ({@code baton-ticker}): every
 * {@code baton.tick-interval} it lets the engine act on what came due (lease expiries, retry
 * backoffs, {@code run_at}, rate-limit refills, lost agents), and about once a second copies the
 * engine's counts into the metrics gauges. While this Baton is the writer (recovered, holding the
 * writer lease) it also fires the schedules that came due; a Baton standing by fires nothing. A
 * failing tick is logged and the loop goes on; runs never overlap. Stopping twice, or stopping a
 * loop never started, is harmless.
 *
 * <p><b>Resting when idle.</b> Each tick answers when something may come due next. When no event
 * has come for {@link #QUIET_MILLIS} and nothing is due within a tick interval, the loop rests
 * until then, at most {@link #IDLE_TICK_MILLIS}, instead of waking ten times a second; the next
 * event (a submit, a claim handed out, a limit or schedule changed: everything that can bring a
 * deadline nearer is one) wakes it through {@link TickPacer}: it ticks at once, then at the normal
 * pace again. So nothing is acted on later than a tick interval after it came due, as before. A Baton
 * standing by never rests: it may become the writer at any moment.
 */
@Singleton
public class EngineTicker implements BackgroundLoop {

    private static final Logger LOG = Logger.getLogger(EngineTicker.class);
    private static final long GAUGE_REFRESH_MILLIS = 1000;
    /** Without an event for this long, the loop may rest longer than a tick interval. */
    static final long QUIET_MILLIS = 1000;
    /** The longest rest: the gauges are refreshed about once a second, idle or not. */
    static final long IDLE_TICK_MILLIS = 1000;

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    EngineMetrics metrics;

    @Inject
    BatonConfig config;

    @Inject
    Store store;

    @Inject
    TickPacer pacer;

    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong rests = new AtomicLong();
    private Thread thread;
    private volatile boolean running;
    private long lastRefreshMillis;

    @Override
    public String name() {
        return "engine ticker";
    }

    @Override
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "baton-ticker");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }

    private void run() {
        long intervalMillis = Math.max(1, config.tickInterval().toMillis());
        long lastChangeMillis = clock.millis();
        long wait = intervalMillis;
        while (running) {
            try {
                if (wait > intervalMillis) {
                    rests.incrementAndGet();
                    pacer.rest(wait); // an event ends it early: the tick comes at once
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                } else {
                    Thread.sleep(intervalMillis);
                }
                long now = clock.millis();
                long nextDue = tick(now);
                if (pacer.takeChanged()) {
                    lastChangeMillis = now;
                }
                wait = waitMillis(now, nextDue, lastChangeMillis, intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * How long until the next tick: the tick interval while events come or something is due
     * within it, else until {@code nextDue}, at most {@link #IDLE_TICK_MILLIS}.
     */
    static long waitMillis(long now, long nextDue, long lastChangeMillis, long intervalMillis) {
        if (now - lastChangeMillis < QUIET_MILLIS) {
            return intervalMillis;
        }
        long untilDue = nextDue - now; // nextDue may be Long.MAX_VALUE: no overflow for a positive now
        return Math.max(intervalMillis, Math.min(untilDue, IDLE_TICK_MILLIS));
    }

    /** One round; answers when something may come due next (now, when the tick failed or this Baton stands by). */
    long tick(long now) {
        try {
            long nextDue = coordinator.tick(now);
            if (store.serving()) {
                coordinator.flow().schedules().fire(now);
                nextDue = Math.min(nextDue, coordinator.flow().schedules().nextRunAt());
            } else {
                nextDue = now;
            }
            ticks.incrementAndGet();
            if (now - lastRefreshMillis >= GAUGE_REFRESH_MILLIS) {
                lastRefreshMillis = now;
                metrics.refresh(coordinator.stats(now));
            }
            return nextDue;
        } catch (RuntimeException e) {
            LOG.error("engine tick failed; the next tick tries again", e);
            return now;
        }
    }

    /** Times the loop rested longer than a tick interval because nothing happened: the loop's own stat. */
    public long rests() {
        return rests.get();
    }

    /** Ticks run so far: the loop's own stat. */
    public long ticks() {
        return ticks.get();
    }
}
