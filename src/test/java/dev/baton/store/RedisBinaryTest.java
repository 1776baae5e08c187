package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
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

    /** Ctrl-C signals the terminal's whole process group: the embedded Redis must not be in Baton's. */
    @Test
    void redisRunsInAProcessGroupOfItsOwn(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")),
                "no setsid on this machine: Redis shares Baton's process group");
        RedisProcess redis = RedisProcess.launch(RedisBinary.locate(), RedisProcess.freePort(), dir,
                dir.resolve("redis.log"), List.of());
        try {
            assertTrue(redis.answersPing(), "the pid Baton holds is Redis itself, not a wrapper");
            assertNotEquals(processGroup(ProcessHandle.current().pid()), processGroup(redis.pid()));
            assertTrue(ProcessHandle.of(redis.pid()).flatMap(p -> p.info().command()).orElse("").contains("redis"));
        } finally {
            redis.stop();
        }
    }

    /** Field 5 of /proc/<pid>/stat (after the parenthesised command name). */
    private static String processGroup(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2];
    }
}
