package dev.baton.bench;

import dev.baton.engine.AgentSpec;
import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.EventSink;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The engine as the benchmarks see it: a coordinator filled with {@link #QUEUED} tasks spread
 * evenly over the 4 priority levels and {@link #TYPES} types, each with its own 200-byte JSON
 * payload, and {@link #AGENTS} agents that serve every type (1,000,000 and 50 unless the system
 * properties {@code bench.queued} and {@code bench.agents} say otherwise: what grows with them).
 */
final class EngineFixture {

    static final int QUEUED = Integer.getInteger("bench.queued", 1_000_000);
    static final int TYPES = 20;
    static final int AGENTS = Integer.getInteger("bench.agents", 50);
    static final int PAYLOAD_BYTES = 200;

    static final List<String> TYPE_NAMES = typeNames();

    private EngineFixture() {
    }

    /**
     * Default configuration with two changes. Backpressure is off, so the fill and the submit
     * benchmark are never refused. The lease is 1 s instead of 30 s: a completed task's lease
     * timer stays in the engine's heap until it falls due, and at the benchmark's rate (around a
     * million cycles a second, a hundred times a server's) 30 s of them would pin tens of
     * millions of finished tasks and measure the garbage collector instead of the engine.
     */
    static EngineConfig config() {
        return config(EngineConfig.defaults().maxBatch());
    }

    /** {@link #config()} with batches of up to {@code maxBatch} tasks. */
    static EngineConfig config(int maxBatch) {
        EngineConfig d = EngineConfig.defaults();
        return new EngineConfig(1_000, d.agentTtlMillis(), d.priorityAgingMillis(), Integer.MAX_VALUE, d.retry(),
                d.maxExpiries(), d.demoteOnRetry(), d.jitter(), d.types(), d.weights(), d.retentionMillis(),
                d.finishedCacheSize(), d.maxDependencies(), maxBatch);
    }

    static Coordinator newCoordinator() {
        return newCoordinator(config());
    }

    static Coordinator newCoordinator(EngineConfig config) {
        return newCoordinator(config, EventSink.NONE);
    }

    static Coordinator newCoordinator(EngineConfig config, EventSink sink) {
        return new Coordinator(config, sink, new SplittableRandom(42));
    }

    /** Registers the agents and returns their ids. */
    static List<String> registerAgents(Coordinator engine, long now) {
        List<String> ids = new ArrayList<>(AGENTS);
        for (int i = 0; i < AGENTS; i++) {
            String id = "agent-" + i;
            engine.registerAgent(new AgentSpec(id, Set.copyOf(TYPE_NAMES), 1, Map.of()), now);
            ids.add(id);
        }
        return ids;
    }

    /**
     * A thread that ticks the engine every 100 ms, as a server's ticker does: lease timers of
     * completed tasks fall due and leave the engine's heap. Shut it down after the trial.
     */
    static ScheduledExecutorService startReaper(Coordinator engine) {
        ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reaper");
            t.setDaemon(true);
            return t;
        });
        reaper.scheduleAtFixedRate(() -> engine.tick(System.currentTimeMillis()), 100, 100, TimeUnit.MILLISECONDS);
        return reaper;
    }

    /** Submits {@code count} tasks, round-robin over levels and types, each with a distinct payload. */
    static void fill(Coordinator engine, int count, long now) {
        for (int i = 0; i < count; i++) {
            engine.submit(spec(i), now);
        }
    }

    /** Task number {@code n}: level {@code n % 4}, type {@code (n / 4) % 20}, a payload of its own. */
    static TaskSpec spec(long n) {
        Priority priority = Priority.ofLevel((int) (n % Priority.levels()));
        String type = TYPE_NAMES.get((int) ((n / Priority.levels()) % TYPES));
        return TaskSpec.of(type, priority).withPayload(payload(n));
    }

    /** A JSON object of exactly {@link #PAYLOAD_BYTES} ASCII bytes that differs for every {@code n}. */
    static String payload(long n) {
        String head = "{\"n\":" + n + ",\"data\":\"";
        String tail = "\"}";
        return head + "x".repeat(PAYLOAD_BYTES - head.length() - tail.length()) + tail;
    }

    private static List<String> typeNames() {
        List<String> names = new ArrayList<>(TYPES);
        for (int i = 0; i < TYPES; i++) {
            names.add(String.format("type-%02d", i));
        }
        return List.copyOf(names);
    }
}
