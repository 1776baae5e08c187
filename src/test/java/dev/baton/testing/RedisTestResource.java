package dev.baton.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} at a throwaway Redis ({@code quarkus.redis.hosts}), so the embedded
 * default is not used. Use with {@code @QuarkusTestResource(value = RedisTestResource.class,
 * restrictToAnnotatedClass = true)}; {@link #redis()} lets the test stop and restart that server.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile RedisServerProcess redis;

    @Override
    public Map<String, String> start() {
        redis = RedisServerProcess.startNew();
        return Map.of("quarkus.redis.hosts", redis.uri());
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }

    /** The server of the running test resource. */
    public static RedisServerProcess redis() {
        RedisServerProcess current = redis;
        if (current == null) {
            throw new IllegalStateException("RedisTestResource is not started for this test");
        }
        return current;
    }
}
