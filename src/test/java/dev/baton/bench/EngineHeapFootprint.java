package dev.baton.bench;

import dev.baton.engine.Coordinator;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;

/**
 * Fills a coordinator with {@link EngineFixture#QUEUED} tasks carrying 200-byte payloads and
 * prints the heap they retain after a full GC. The goal is under 1 GB; run it with
 * {@code -Xmx1g} so that missing the goal is an {@link OutOfMemoryError}, not a number.
 */
public final class EngineHeapFootprint {

    static final long GOAL_BYTES = 1L << 30;

    private EngineHeapFootprint() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : EngineFixture.QUEUED;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = retainedHeap(memory);
        long now = System.currentTimeMillis();
        Coordinator engine = EngineFixture.newCoordinator();
        List<String> agents = EngineFixture.registerAgents(engine, now);
        long start = System.nanoTime();
        EngineFixture.fill(engine, count, now);
        double fillSeconds = (System.nanoTime() - start) / 1e9;
        long after = retainedHeap(memory);
        long retained = after - before;
        System.out.printf("engine heap: %,d queued tasks (%d-byte payloads, %d levels x %d types, %d agents)%n",
                engine.stats(now).pending(), EngineFixture.PAYLOAD_BYTES, 4, EngineFixture.TYPES, agents.size());
        System.out.printf("  filled in %.2f s (%,.0f submits/s)%n", fillSeconds, count / fillSeconds);
        System.out.printf("  retained heap after GC: %,.1f MB (%,d bytes/task); max heap %,.0f MB%n",
                retained / 1e6, retained / Math.max(1, count), memory.getHeapMemoryUsage().getMax() / 1e6);
        System.out.printf("  goal 1M queued in < 1 GB heap: %s%n", after < GOAL_BYTES ? "MET" : "MISSED");
        if (engine.stats(now).pending() != count) {
            throw new IllegalStateException("expected " + count + " pending tasks");
        }
    }

    /** Heap in use after GC has had every chance to run; enough rounds that the figure settles. */
    static long retainedHeap(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used - (1 << 20)) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }
}
