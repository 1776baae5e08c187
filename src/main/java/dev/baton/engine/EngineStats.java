package dev.baton.engine;

import java.util.List;
import java.util.Map;

/**
 * Counts at one moment, for {@code /v1/stats} and metrics.
 *
 * @param depthByLevel       PENDING tasks per level
 * @param depthByLevelAndType PENDING tasks per level, per type
 * @param completedPerSecond completions per second over the last minute
 * @param errorRate          failed runs / finished runs over the last minute
 * @param utilisation        busy slots / slots of live agents
 * @param pausedTypes        task types paused at runtime, in name order
 * @param rateLimited        ready tasks held while their rate key's budget is spent
 * @param concurrencyLimited ready tasks whose concurrency key is at its running cap
 * @param typeCaps           the running cap in effect per capped type (fixed {@code max_running} or adaptive)
 * @param keyCaps            the running cap in effect per concurrency key with an adaptive cap, in key order (bounded)
 */
public record EngineStats(
        Map<Priority, Integer> depthByLevel,
        Map<Priority, Map<String, Integer>> depthByLevelAndType,
        int pending,
        int running,
        int waiting,
        int scheduled,
        int agents,
        int agentsLost,
        int agentsWaiting,
        long submitted,
        long completed,
        long failed,
        long expired,
        long cancelled,
        double completedPerSecond,
        double errorRate,
        double utilisation,
        long lastSeq,
        List<String> pausedTypes,
        int rateLimited,
        int concurrencyLimited,
        Map<String, Integer> typeCaps,
        Map<String, Integer> keyCaps) {

    /** The most keys {@link #keyCaps} holds: a metric series each, so a bound, not one per key in use. */
    public static final int MAX_KEY_CAPS = 1_000;
}
