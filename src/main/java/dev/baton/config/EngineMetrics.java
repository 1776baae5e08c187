package dev.baton.config;

import dev.baton.engine.EngineStats;
import dev.baton.engine.EventSink;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Baton's Prometheus metrics. Counters and the dispatch timer are fed by the engine's events
 * ({@link #accept} runs under the engine's lock, so it only bumps lock-free counters); the claim
 * timer by the claim endpoint; the gauges (depth per level and type, running, waiting, agents) by
 * {@link #refresh} from the ticker, so a scrape never takes the engine's lock.
 *
 * <p>Implementation note. The registry Quarkus hands out is {@code Metrics.globalRegistry}, a static
 * composite, and outside dev mode Quarkus leaves its meters there when the app stops; a gauge
 * holds its state object weakly. So in a JVM that starts Baton again (the tests, once per test
 * profile) a plain {@code registry.gauge(name, state)} got back the previous app's gauge, bound to
 * the previous instance's state: stale, and once that was collected not served at all (a composite
 * gauge whose state is gone is not copied into the new Prometheus registry). Every gauge here is
 * therefore registered by {@link #gauge}, which first removes one left under the same name and tags.
 */
@Singleton
@Typed(EngineMetrics.class)
public class EngineMetrics implements EventSink {

    private static final double[] PERCENTILES = {0.5, 0.99, 0.999};
    private static final String[] PERCENTILE_NAMES = {"p50", "p99", "p99_9"};

    private final MeterRegistry registry;
    private final Counter submitted;
    private final Counter completed;
    private final Counter failed;
    private final Counter expired;
    private final Counter cancelled;
    private final Timer claimLatency;
    private final Timer dispatchLatency;
    private final Map<String, AtomicInteger> depths = new ConcurrentHashMap<>();
    /** 1 while a type is paused, 0 after it resumed (a type never paused has no gauge). */
    private final Map<String, AtomicInteger> paused = new ConcurrentHashMap<>();
    /** The running cap in effect per capped type (fixed or adaptive); a type no longer capped loses its gauge. */
    private final Map<String, AtomicInteger> caps = new ConcurrentHashMap<>();
    /**
     * The running cap in effect per concurrency key with an adaptive cap: a series only while the key's
     * state lives (tasks name it), at most {@link EngineStats#MAX_KEY_CAPS} of them.
     */
    private final Map<String, AtomicInteger> keyCaps = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    /** Totals only: a gauge per key would not stay bounded with 10,000 keys in use. */
    private final AtomicInteger rateLimited = new AtomicInteger();
    private final AtomicInteger concurrencyLimited = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger scheduled = new AtomicInteger();
    private final AtomicInteger agents = new AtomicInteger();
    /** Tasks each schedule submitted ({@code baton_schedule_runs_total}). */
    private final Map<String, Counter> scheduleRuns = new ConcurrentHashMap<>();

    public EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
        submitted = counter("submitted");
        completed = counter("completed");
        failed = counter("failed");
        expired = counter("expired");
        cancelled = counter("cancelled");
        claimLatency = Timer.builder("baton.claim.latency")
                .description("Time to answer a claim that did not wait")
                .publishPercentiles(PERCENTILES).publishPercentileHistogram().register(registry);
        dispatchLatency = Timer.builder("baton.dispatch.latency")
                .description("From a task becoming ready to an agent holding it (millisecond resolution)")
                .publishPercentiles(PERCENTILES).publishPercentileHistogram().register(registry);
        gauge("baton.tasks.running", Tags.empty(), running);
        gauge("baton.rate.limited.tasks", Tags.empty(), rateLimited);
        gauge("baton.concurrency.limited.tasks", Tags.empty(), concurrencyLimited);
        gauge("baton.tasks.waiting", Tags.empty(), waiting);
        gauge("baton.tasks.scheduled", Tags.empty(), scheduled);
        gauge("baton.agents", Tags.empty(), agents);
    }

    /** A gauge on {@code state} (held strongly by this object), replacing one an earlier app left (see the note above). */
    private AtomicInteger gauge(String name, Tags tags, AtomicInteger state) {
        registry.find(name).tags(tags).meters().forEach(registry::remove);
        return registry.gauge(name, tags, state);
    }

    private Counter counter(String what) {
        return Counter.builder("baton.tasks." + what).description("Tasks " + what).register(registry);
    }

    @Override
    public void accept(TaskEvent event) {
        switch (event.type()) {
            case SUBMITTED -> submitted.increment();
            case COMPLETED -> completed.increment();
            case FAILED -> failed.increment();
            case EXPIRED -> expired.increment();
            case CANCELLED -> cancelled.increment();
            case ASSIGNED -> {
                if (event.task() != null && event.task().readyAt() > 0) {
                    dispatchLatency.record(Math.max(0, event.at() - event.task().readyAt()), TimeUnit.MILLISECONDS);
                }
            }
            case SCHEDULE_FIRED -> scheduleRuns.computeIfAbsent(event.schedule().id(), id -> Counter
                    .builder("baton.schedule.runs").description("Runs of a schedule (one task each)")
                    .tag("schedule", id).register(registry)).increment();
            default -> {
                // other events are not counted
            }
        }
    }

    public void claimed(long nanos) {
        claimLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Claim latency percentiles in milliseconds, for {@code /v1/stats}. */
    public Map<String, Number> claimLatencyMillis() {
        HistogramSnapshot snapshot = claimLatency.takeSnapshot();
        Map<String, Number> out = new LinkedHashMap<>();
        out.put("count", snapshot.count()); // a count, so a whole number in /v1/stats
        ValueAtPercentile[] values = snapshot.percentileValues();
        for (int i = 0; i < values.length && i < PERCENTILE_NAMES.length; i++) {
            out.put(PERCENTILE_NAMES[i], values[i].value(TimeUnit.MILLISECONDS));
        }
        return out;
    }

    /** Copy the engine's counts into the gauges. */
    public void refresh(EngineStats stats) {
        running.set(stats.running());
        rateLimited.set(stats.rateLimited());
        concurrencyLimited.set(stats.concurrencyLimited());
        waiting.set(stats.waiting());
        scheduled.set(stats.scheduled());
        agents.set(stats.agents());
        depths.values().forEach(depth -> depth.set(0));
        for (Map.Entry<Priority, Map<String, Integer>> level : stats.depthByLevelAndType().entrySet()) {
            for (Map.Entry<String, Integer> type : level.getValue().entrySet()) {
                depth(level.getKey(), type.getKey()).set(type.getValue());
            }
        }
        paused.values().forEach(flag -> flag.set(0));
        for (String type : stats.pausedTypes()) {
            paused.computeIfAbsent(type, t -> gauge("baton.type.paused", Tags.of("type", t), new AtomicInteger()))
                    .set(1);
        }
        follow("baton.type.concurrency.limit", "type", caps, stats.typeCaps());
        follow("baton.key.concurrency.limit", "key", keyCaps, stats.keyCaps());
    }

    /** One gauge per entry of {@code values}, tagged with its key; the gauges of entries gone are removed. */
    private void follow(String name, String tag, Map<String, AtomicInteger> gauges, Map<String, Integer> values) {
        values.forEach((key, value) -> gauges.computeIfAbsent(key, k -> gauge(name, Tags.of(tag, k), new AtomicInteger()))
                .set(value));
        gauges.keySet().removeIf(key -> {
            boolean gone = !values.containsKey(key);
            if (gone) {
                registry.find(name).tags(tag, key).meters().forEach(registry::remove);
            }
            return gone;
        });
    }

    private AtomicInteger depth(Priority level, String type) {
        return depths.computeIfAbsent(level + "/" + type, key -> gauge("baton.queue.depth",
                Tags.of("level", level.name(), "type", type), new AtomicInteger()));
    }
}
