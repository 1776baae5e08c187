package dev.baton.engine;

import java.util.EnumMap;
import java.util.Map;

/**
 * Totals since start (or since recovery) and the last minute's rates, for stats and the
 * {@code Retry-After} of a full queue. Not thread-safe: used under the coordinator's lock.
 */
final class Counters {

    long submitted;
    long completed;
    long failed;
    long expired;
    long cancelled;
    private final RateWindow completions = new RateWindow();
    private final RateWindow failures = new RateWindow();

    void completed(long now) {
        completed++;
        completions.add(now);
    }

    /** A run failed (the task may still be retried). */
    void runFailed(long now) {
        failures.add(now);
    }

    double completedPerSecond(long now) {
        return completions.perSecond(now);
    }

    /** Failed runs / finished runs over the last minute. */
    double errorRate(long now) {
        long done = completions.total(now);
        long failed = failures.total(now);
        return done + failed == 0 ? 0.0 : failed / (double) (done + failed);
    }

    /** How long a producer refused for a full queue should wait: the excess over the completion rate, 1 s to 60 s. */
    long retryAfterMillis(long queued, long maxQueued, long now) {
        double rate = completions.perSecond(now);
        if (rate <= 0) {
            return 1_000;
        }
        long excess = queued - maxQueued + 1L;
        return Math.max(1_000, Math.min(60_000, Math.round(excess / rate * 1000)));
    }

    /** The figures of {@code /v1/stats} at {@code now}. */
    EngineStats stats(ReadyQueues ready, Statuses statuses, int agents, AgentRegistry.Load load, long seq, long now,
            TypeRules rules, KeyLimits limits) {
        Map<Priority, Integer> depth = new EnumMap<>(Priority.class);
        Map<Priority, Map<String, Integer>> depthByType = new EnumMap<>(Priority.class);
        for (Priority p : Priority.values()) {
            depth.put(p, ready.depth(p));
            depthByType.put(p, ready.depthByType(p));
        }
        return new EngineStats(depth, depthByType, ready.size(), statuses.running(), statuses.waiting(),
                statuses.scheduled(), agents, load.lost(), load.parked(), submitted, completed, failed, expired,
                cancelled, completedPerSecond(now), errorRate(now),
                load.slots() == 0 ? 0.0 : load.busy() / (double) load.slots(), seq, rules.paused(),
                limits.heldTotal(), limits.cappedTotal(), rules.caps(),
                limits.adaptiveCaps(EngineStats.MAX_KEY_CAPS));
    }
}
