package dev.baton.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} at a throwaway Redis ({@code quarkus.redis.hosts}), so the embedded
 * default is not used. {@code @WithTestResource(RedisTestResource.class)} on test classes without a
 * profile of their own lets them share one app and one Redis (each class then uses its own task
 * types and agent ids); with a {@code @TestProfile}, use {@code @QuarkusTestResource(value =
 * RedisTestResource.class, restrictToAnnotatedClass = true)}. {@link #redis()} lets the test stop and
 * restart that server (and start it again before the class ends).
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
