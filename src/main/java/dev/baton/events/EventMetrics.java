package dev.baton.events;

import dev.baton.engine.EventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fan-out's meters: events published per kind and consumer ({@code baton.events.published}),
 * SSE subscribers connected and cut off, events dropped per consumer (hub overflow, Redis away,
 * broker without demand). Counters are created once and then only incremented.
 */
public final class EventMetrics {

    public static final String SSE = "sse";
    public static final String REDIS = "redis";
    public static final String BROKER = "broker";
    public static final String HUB = "hub";

    private final MeterRegistry registry;
    private final Map<String, Map<EventType, Counter>> published = new ConcurrentHashMap<>();
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final AtomicInteger subscribers = new AtomicInteger();
    private final Counter cutOff;

    public EventMetrics(MeterRegistry registry) {
        this.registry = registry;
        // a gauge an earlier app in this JVM left here would stay bound to its state (see EngineMetrics)
        registry.find("baton.events.subscribers").meters().forEach(registry::remove);
        registry.gauge("baton.events.subscribers", subscribers);
        cutOff = Counter.builder("baton.events.subscribers.cut_off")
                .description("SSE subscribers disconnected because they fell behind their buffer").register(registry);
    }

    void published(String consumer, EventType kind) {
        published(consumer, kind, 1);
    }

    void published(String consumer, EventType kind, int count) {
        if (count == 0) {
            return;
        }
        published.computeIfAbsent(consumer, c -> {
            Map<EventType, Counter> byKind = new EnumMap<>(EventType.class);
            for (EventType type : EventType.values()) {
                byKind.put(type, Counter.builder("baton.events.published").tag("consumer", c).tag("kind", type.wireName())
                        .description("Events handed to a consumer").register(registry));
            }
            return byKind;
        }).get(kind).increment(count);
    }

    void dropped(String consumer, long count) {
        dropped.computeIfAbsent(consumer, c -> Counter.builder("baton.events.dropped").tag("consumer", c)
                .description("Events a consumer dropped rather than slow the engine (Redis notifications: Redis away)")
                .register(registry)).increment(count);
    }

    void connected() {
        subscribers.incrementAndGet();
    }

    void disconnected() {
        subscribers.decrementAndGet();
    }

    void cutOff() {
        cutOff.increment();
    }

    /** For tests and stats. */
    public double droppedCount(String consumer) {
        Counter counter = dropped.get(consumer);
        return counter == null ? 0 : counter.count();
    }

    public int subscribersConnected() {
        return subscribers.get();
    }

    public double cutOffCount() {
        return cutOff.count();
    }
}
