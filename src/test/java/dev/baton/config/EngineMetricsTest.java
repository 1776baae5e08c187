package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.engine.EngineStats;
import dev.baton.engine.Priority;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gauges of a Baton started again in the same JVM (the tests do, once per test profile): as
 * Quarkus does outside dev mode, the static root registry keeps the first app's meters when that
 * app stops; only its Prometheus registry is closed and removed, and the next app's is added.
 */
class EngineMetricsTest {

    @Test
    void aSecondAppInTheSameJvmServesItsOwnFiguresNotTheFirstOnes() {
        CompositeMeterRegistry root = new CompositeMeterRegistry();
        SimpleMeterRegistry firstScrape = new SimpleMeterRegistry();
        root.add(firstScrape);
        EngineMetrics first = new EngineMetrics(root);
        first.refresh(stats(5, 7, Map.of("t", 3)));
        assertEquals(5, firstScrape.get("baton.rate.limited.tasks").gauge().value());

        root.remove(firstScrape); // the first app stops: its meters stay in the root registry
        firstScrape.close();
        SimpleMeterRegistry secondScrape = new SimpleMeterRegistry();
        root.add(secondScrape);
        EngineMetrics second = new EngineMetrics(root);
        second.refresh(stats(1, 2, Map.of("t", 4)));

        assertEquals(1, secondScrape.get("baton.rate.limited.tasks").gauge().value());
        assertEquals(2, secondScrape.get("baton.concurrency.limited.tasks").gauge().value());
        assertEquals(4, secondScrape.get("baton.queue.depth").tags("level", "HIGH", "type", "t").gauge().value());
        assertEquals(1, secondScrape.find("baton.rate.limited.tasks").gauges().size(), "one gauge, not the first app's beside it");
        second.refresh(stats(0, 0, Map.of()));
        assertEquals(0, secondScrape.get("baton.rate.limited.tasks").gauge().value());
        assertEquals(0, secondScrape.get("baton.concurrency.limited.tasks").gauge().value());
        first.refresh(stats(9, 9, Map.of("t", 9))); // the first app's objects no longer feed anything served
        assertEquals(0, secondScrape.get("baton.rate.limited.tasks").gauge().value());
    }

    @Test
    void aCappedTypeHasAConcurrencyLimitGaugeUntilItIsNoLongerCapped() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EngineMetrics metrics = new EngineMetrics(registry);
        metrics.refresh(stats(0, 0, Map.of(), Map.of("llm", 12)));
        assertEquals(12, registry.get("baton.type.concurrency.limit").tags("type", "llm").gauge().value());
        metrics.refresh(stats(0, 0, Map.of(), Map.of("llm", 9)));
        assertEquals(9, registry.get("baton.type.concurrency.limit").tags("type", "llm").gauge().value());
        metrics.refresh(stats(0, 0, Map.of(), Map.of()));
        assertEquals(0, registry.find("baton.type.concurrency.limit").gauges().size());
    }

    @Test
    void aKeyWithAnAdaptiveCapHasAGaugeWhileItsStateLives() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EngineMetrics metrics = new EngineMetrics(registry);
        metrics.refresh(stats(0, 0, Map.of(), Map.of(), Map.of("tenant:a", 8, "tenant:b", 3)));
        assertEquals(8, registry.get("baton.key.concurrency.limit").tags("key", "tenant:a").gauge().value());
        assertEquals(3, registry.get("baton.key.concurrency.limit").tags("key", "tenant:b").gauge().value());
        metrics.refresh(stats(0, 0, Map.of(), Map.of(), Map.of("tenant:a", 6)));
        assertEquals(6, registry.get("baton.key.concurrency.limit").tags("key", "tenant:a").gauge().value());
        assertEquals(1, registry.find("baton.key.concurrency.limit").gauges().size(), "tenant:b's state went away");
        metrics.refresh(stats(0, 0, Map.of(), Map.of(), Map.of()));
        assertEquals(0, registry.find("baton.key.concurrency.limit").gauges().size());
    }

    private static EngineStats stats(int rateLimited, int concurrencyLimited, Map<String, Integer> highDepth) {
        return stats(rateLimited, concurrencyLimited, highDepth, Map.of());
    }

    private static EngineStats stats(int rateLimited, int concurrencyLimited, Map<String, Integer> highDepth,
            Map<String, Integer> typeCaps) {
        return stats(rateLimited, concurrencyLimited, highDepth, typeCaps, Map.of());
    }

    private static EngineStats stats(int rateLimited, int concurrencyLimited, Map<String, Integer> highDepth,
            Map<String, Integer> typeCaps, Map<String, Integer> keyCaps) {
        return new EngineStats(Map.of(), Map.of(Priority.HIGH, highDepth), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, List.of(), rateLimited, concurrencyLimited, typeCaps, keyCaps);
    }
}
