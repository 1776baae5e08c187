package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedRedisTest {

    private static final int TIMEOUT_MILLIS = 2_000;

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable redis : started) {
            redis.close();
        }
    }

    @Test
    void startsAnsweringPingAndWritesItsAppendOnlyFileIntoTheDataDir() throws IOException {
        EmbeddedRedis redis = start();

        assertTrue(Resp.ping(redis.port(), TIMEOUT_MILLIS));
        assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri().toString());
        assertEquals(List.of("maxmemory-policy", "noeviction"),
                Resp.call(redis.port(), TIMEOUT_MILLIS, "CONFIG", "GET", "maxmemory-policy"));
        Resp.call(redis.port(), TIMEOUT_MILLIS, "SET", "baton-key", "baton-value");

        await().until(() -> appendOnlyFilesMention("baton-key"));
        assertTrue(Files.readString(dataDir.resolve(EmbeddedRedis.STATE_FILE)).contains("port=" + redis.port()));
    }

    @Test
    void closeStopsTheProcessAndIsSafeToRepeat() {
        EmbeddedRedis redis = start();
        ProcessHandle process = ProcessHandle.of(redis.pid()).orElseThrow();

        redis.close();
        redis.close();

        assertFalse(process.isAlive());
        assertFalse(Resp.ping(redis.port(), TIMEOUT_MILLIS));
        assertFalse(Files.exists(dataDir.resolve(EmbeddedRedis.STATE_FILE)));
    }

    @Test
    void dataSurvivesAStopAndStart() throws IOException {
        EmbeddedRedis first = start();
        Resp.call(first.port(), TIMEOUT_MILLIS, "SET", "survivor", "yes");
        first.close();

        EmbeddedRedis second = start();

        assertEquals("yes", Resp.call(second.port(), TIMEOUT_MILLIS, "GET", "survivor"));
    }

    @Test
    void reusesTheRedisLeftRunningByACrashedRun() {
        EmbeddedRedis crashed = start(); // never closed by its owner: it stands for a Baton killed with -9

        EmbeddedRedis next = start();

        assertEquals(crashed.pid(), next.pid());
        assertEquals(crashed.port(), next.port());
        next.close();
        assertFalse(ProcessHandle.of(crashed.pid()).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void stopsALeftoverThatDoesNotAnswerWhereTheStateFileSays() throws IOException {
        RedisProcess leftover = RedisProcess.launch(RedisBinary.locate(), RedisProcess.freePort(), dataDir,
                dataDir.resolve(EmbeddedRedis.LOG_FILE),
                List.of("--pidfile", dataDir.resolve(EmbeddedRedis.PID_FILE).toString()));
        started.add(leftover::stop);
        int silentPort = RedisProcess.freePort();
        EmbeddedRedis.writeState(dataDir.toRealPath(), silentPort, leftover.pid());

        EmbeddedRedis redis = start();

        assertFalse(leftover.isAlive());
        assertNotEquals(leftover.pid(), redis.pid());
        assertTrue(Resp.ping(redis.port(), TIMEOUT_MILLIS));
    }

    @Test
    void ignoresAnUnreadableStateFile() throws IOException {
        Files.writeString(dataDir.resolve(EmbeddedRedis.STATE_FILE), "port=not-a-number");

        EmbeddedRedis redis = start();

        assertTrue(Resp.ping(redis.port(), TIMEOUT_MILLIS));
    }

    private EmbeddedRedis start() {
        try {
            EmbeddedRedis redis = EmbeddedRedis.start(dataDir);
            started.add(redis);
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Redis 6 writes appendonly.aof, Redis 7 an appendonlydir/ of parts: search both. */
    private boolean appendOnlyFilesMention(String text) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> file.getFileName().toString().startsWith("appendonly"))
                    .anyMatch(file -> contains(file, text));
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }
}
