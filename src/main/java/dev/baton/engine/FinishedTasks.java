package dev.baton.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.NavigableMap;

/**
 * Terminal tasks, out of the hot structures but still readable: a Caffeine cache bounded by
 * size and by age ({@code retention}). Its ticker reads the coordinator's latest {@code now}, so
 * the engine keeps no clock of its own, and maintenance runs on the calling thread (which holds
 * the coordinator's lock), so the removal listener can keep the id index exact.
 */
final class FinishedTasks {

    private final Cache<String, Task> cache;
    private long nowNanos;

    FinishedTasks(long maxSize, long retentionMillis, NavigableMap<String, Task> index) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxSize)
                .expireAfterWrite(Duration.ofMillis(retentionMillis))
                .ticker(ticker())
                .executor(Runnable::run)
                .<String, Task>removalListener((id, task, cause) -> {
                    if (cause.wasEvicted() && id != null) {
                        index.remove(id, task);
                    }
                })
                .build();
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
