package dev.baton.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Terminal tasks, out of the hot structures but still readable: a Caffeine cache bounded by
 * size and by age: each task leaves {@code retention} after it finished, also when it came back
 * into the cache later (read back from Redis after a restart). Its ticker reads the coordinator's latest {@code now}, so
 * the engine keeps no clock of its own, and maintenance runs on the calling thread (which holds
 * the coordinator's lock), so the removal listener can keep the id index exact.
 */
final class FinishedTasks {

    private final Cache<String, Task> cache;
    private long nowNanos;

    FinishedTasks(long maxSize, long retentionMillis, TaskIndex index) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxSize)
                .expireAfter(untilRetentionEnds(retentionMillis))
                .ticker(ticker())
                .executor(Runnable::run)
                .<String, Task>removalListener((id, task, cause) -> {
                    if (cause.wasEvicted() && id != null) {
                        index.remove(id, task);
                    }
                })
                .build();
    }

    private static Expiry<String, Task> untilRetentionEnds(long retentionMillis) {
        long retentionNanos = retentionMillis >= Long.MAX_VALUE / 4_000_000L ? Long.MAX_VALUE / 4 : retentionMillis * 1_000_000L;
        return new Expiry<>() {
            @Override
            public long expireAfterCreate(String id, Task task, long currentNanos) {
                long finishedNanos = task.completedAt == null ? currentNanos : task.completedAt * 1_000_000L;
                return Math.max(0, finishedNanos + retentionNanos - currentNanos);
            }

            @Override
            public long expireAfterUpdate(String id, Task task, long currentNanos, long remainingNanos) {
                return expireAfterCreate(id, task, currentNanos);
            }

            @Override
            public long expireAfterRead(String id, Task task, long currentNanos, long remainingNanos) {
                return remainingNanos;
            }
        };
    }

    private Ticker ticker() {
        return () -> nowNanos;
    }

    void advance(long nowMillis) {
        nowNanos = Math.max(nowNanos, nowMillis * 1_000_000L);
    }

    void put(Task task) {
        cache.put(task.id, task);
    }

    Task get(String id) {
        return cache.getIfPresent(id);
    }

    void remove(String id) {
        cache.invalidate(id);
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    void cleanUp() {
        cache.cleanUp();
    }
}
