package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisBinaryTest {

    @Test
    void locatesARedisServerThatRuns() {
        RedisBinary binary = RedisBinary.locate();

        assertTrue(Files.isExecutable(binary.path()));
        assertTrue(binary.version().startsWith("Redis server"), binary.version());
    }

    /** What a machine without redis-server on PATH runs. */
    @Test
    void theBinaryShippedByEmbeddedRedisServes(@TempDir Path dir) throws IOException {
        RedisProcess redis = RedisProcess.launch(RedisBinary.embedded(), RedisProcess.freePort(), dir,
                dir.resolve("redis.log"), List.of());
        try {
            assertTrue(redis.answersPing());
        } finally {
            redis.stop();
        }
        assertTrue(!redis.isAlive());
    }
}
