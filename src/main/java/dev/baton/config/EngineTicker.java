package dev.baton.config;

import dev.baton.engine.Coordinator;
import dev.baton.store.Store;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The engine's timer loop, on its own thread ({@code baton-ticker}): every
 * {@code baton.tick-interval} it lets the engine act on what came due (lease expiries, retry
 * backoffs, {@code run_at}, lost agents), and about once a second copies the engine's counts into
 * the metrics gauges. While this Baton is the writer (recovered, holding the writer lease) it also
 * fires the schedules that came due; a Baton standing by fires nothing. A failing tick is logged and the loop goes on; runs never overlap. Stopping
 * twice, or stopping a loop never started, is harmless.
 */
@Singleton
public class EngineTicker implements BackgroundLoop {

    private static final Logger LOG = Logger.getLogger(EngineTicker.class);
    private static final long GAUGE_REFRESH_MILLIS = 1000;

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

    private final AtomicLong ticks = new AtomicLong();
    private ScheduledExecutorService executor;
    private long lastRefreshMillis;

    @Override
    public String name() {
        return "engine ticker";
    }

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "baton-ticker");
            thread.setDaemon(true);
            return thread;
        });
        long intervalMillis = Math.max(1, config.tickInterval().toMillis());
        executor.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    void tick() {
        long now = clock.millis();
        try {
            coordinator.tick(now);
            if (store.serving()) {
                coordinator.flow().schedules().fire(now);
            }
            ticks.incrementAndGet();
            if (now - lastRefreshMillis >= GAUGE_REFRESH_MILLIS) {
                lastRefreshMillis = now;
                metrics.refresh(coordinator.stats(now));
            }
        } catch (RuntimeException e) {
            LOG.error("engine tick failed; the next tick tries again", e);
        }
    }

    /** Ticks run so far: the loop's own stat. */
    public long ticks() {
        return ticks.get();
    }
}
