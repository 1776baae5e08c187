package dev.baton.engine;

import java.util.Map;

/**
 * Everything the coordinator is told; durations in millis.
 *
 * @param priorityAgingMillis  waiting this long lifts a task one level; 0 turns aging off
 * @param maxQueued            not-yet-running tasks past which submit is refused
 * @param demoteOnRetry        a retried task returns one level lower
 * @param retentionMillis      how long finished tasks stay in memory (bounded cache)
 * @param finishedCacheSize    how many finished tasks stay in memory at most
 * @param limits               rate limits and concurrency caps per key pattern, as configured
 */
public record EngineConfig(
        long leaseTtlMillis,
        long agentTtlMillis,
        long priorityAgingMillis,
        int maxQueued,
        RetryPolicy retry,
        int maxExpiries,
        boolean demoteOnRetry,
        double jitter,
        Map<String, TypePolicy> types,
        ScoringWeights weights,
        long retentionMillis,
        long finishedCacheSize,
        int maxDependencies,
        int maxBatch,
        Map<String, LimitSettings> limits) {

    public EngineConfig {
        types = types == null ? Map.of() : Map.copyOf(types);
        limits = limits == null ? Map.of() : Map.copyOf(limits);
    }

    /** A configuration without key limits. */
    public EngineConfig(long leaseTtlMillis, long agentTtlMillis, long priorityAgingMillis, int maxQueued, RetryPolicy retry,
            int maxExpiries, boolean demoteOnRetry, double jitter, Map<String, TypePolicy> types, ScoringWeights weights,
            long retentionMillis, long finishedCacheSize, int maxDependencies, int maxBatch) {
        this(leaseTtlMillis, agentTtlMillis, priorityAgingMillis, maxQueued, retry, maxExpiries, demoteOnRetry, jitter,
                types, weights, retentionMillis, finishedCacheSize, maxDependencies, maxBatch, Map.of());
    }

    public EngineConfig withLimits(Map<String, LimitSettings> newLimits) {
        return new EngineConfig(leaseTtlMillis, agentTtlMillis, priorityAgingMillis, maxQueued, retry, maxExpiries,
                demoteOnRetry, jitter, types, weights, retentionMillis, finishedCacheSize, maxDependencies, maxBatch, newLimits);
    }

    public static EngineConfig defaults() {
        return new EngineConfig(30_000, 30_000, 60_000, 1_000_000, RetryPolicy.DEFAULT, 5, true, 0.1,
                Map.of(), ScoringWeights.DEFAULT, 24 * 3_600_000L, 100_000, 10_000, 10_000);
    }

    public TypePolicy policy(String type) {
        return types.getOrDefault(type, TypePolicy.DEFAULT);
    }

    public RetryPolicy retryPolicy(String type) {
        RetryPolicy own = policy(type).retry();
        return own == null ? retry : own;
    }

    public EngineConfig withTypes(Map<String, TypePolicy> newTypes) {
        return new EngineConfig(leaseTtlMillis, agentTtlMillis, priorityAgingMillis, maxQueued, retry, maxExpiries,
                demoteOnRetry, jitter, newTypes, weights, retentionMillis, finishedCacheSize, maxDependencies, maxBatch, limits);
    }

    public EngineConfig withPriorityAgingMillis(long millis) {
        return new EngineConfig(leaseTtlMillis, agentTtlMillis, millis, maxQueued, retry, maxExpiries,
                demoteOnRetry, jitter, types, weights, retentionMillis, finishedCacheSize, maxDependencies, maxBatch, limits);
    }

    public EngineConfig withMaxQueued(int newMaxQueued) {
        return new EngineConfig(leaseTtlMillis, agentTtlMillis, priorityAgingMillis, newMaxQueued, retry, maxExpiries,
                demoteOnRetry, jitter, types, weights, retentionMillis, finishedCacheSize, maxDependencies, maxBatch, limits);
    }

    public EngineConfig withGraphLimits(int newMaxDependencies, int newMaxBatch) {
        return new EngineConfig(leaseTtlMillis, agentTtlMillis, priorityAgingMillis, maxQueued, retry, maxExpiries,
                demoteOnRetry, jitter, types, weights, retentionMillis, finishedCacheSize, newMaxDependencies, newMaxBatch, limits);
    }
}
