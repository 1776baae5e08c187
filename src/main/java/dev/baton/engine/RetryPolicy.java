package dev.baton.engine;

import java.util.List;

/**
 * @param maxRetries      retries after the first failed run
 * @param backoffMillis   waits before each retry; the last repeats
 */
public record RetryPolicy(int maxRetries, List<Long> backoffMillis) {

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
        if (backoffMillis == null || backoffMillis.isEmpty()) {
            throw new IllegalArgumentException("backoff needs at least one value");
        }
        backoffMillis = List.copyOf(backoffMillis);
    }

    public static final RetryPolicy DEFAULT = new RetryPolicy(3, List.of(10_000L, 30_000L, 60_000L));

    /** The wait before retry number {@code retry} (1-based), before jitter. */
    public long backoffBefore(int retry) {
        return backoffMillis.get(Math.min(Math.max(retry, 1), backoffMillis.size()) - 1);
    }
}
