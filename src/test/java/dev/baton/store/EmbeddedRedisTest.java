package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
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

    /**
     * Redis answers PONG: start returns once it listens, and one that still loads its (empty)
     * append-only file answers LOADING for a moment, longer on a busy machine.
     */
    private static void assertAnswers(int port, String... why) {
        await(why.length == 0 ? "PONG on port " + port : why[0]).atMost(java.time.Duration.ofSeconds(10))
                .until(() -> Resp.ping(port, TIMEOUT_MILLIS));
    }

    @Test
    void startsAnsweringPingAndWritesItsAppendOnlyFileIntoTheDataDir() throws IOException {
        EmbeddedRedis redis = start();

        assertAnswers(redis.port());
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
        EmbeddedRedis crashed = start();
        crashed.abandon(); // what a Baton killed with -9 leaves: its lock gone, its Redis running

        EmbeddedRedis next = start();

        assertEquals(crashed.pid(), next.pid());
        assertEquals(crashed.port(), next.port());
        next.close();
        assertFalse(ProcessHandle.of(crashed.pid()).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void aSecondStartOnADirectoryInUseIsRefusedAndLeavesTheRunningRedisAlone() throws IOException {
        EmbeddedRedis first = start();
        Resp.call(first.port(), TIMEOUT_MILLIS, "SET", "first", "still here");

        DataDirInUseException refused = assertThrows(DataDirInUseException.class, () -> EmbeddedRedis.start(dataDir));

        assertTrue(refused.getMessage().contains("pid " + ProcessHandle.current().pid()), refused.getMessage());
        assertTrue(refused.getMessage().contains("baton.embedded-redis.data-dir"), refused.getMessage());
        assertEquals("still here", Resp.call(first.port(), TIMEOUT_MILLIS, "GET", "first"));
        assertTrue(Files.readString(dataDir.resolve(EmbeddedRedis.STATE_FILE)).contains("pid=" + first.pid()));
        first.close();
        assertAnswers(start().port(), "closing gives the directory up");
    }

    @Test
    void theLockFileNamesTheOwningProcess() throws IOException {
        start();

        // (reading it here drops this JVM's fcntl lock; the in-JVM guard still holds, and the test ends)
        String owner = Files.readString(dataDir.resolve(DataDirLock.FILE));

        assertTrue(owner.contains("pid=" + ProcessHandle.current().pid()), owner);
        assertTrue(owner.contains("host="), owner);
    }

    @Test
    void thePortChosenAtTheFirstStartIsKeptForTheNext() {
        EmbeddedRedis first = start();
        int port = first.port();
        first.close();

        EmbeddedRedis second = start();

        assertEquals(port, second.port());
    }

    @Test
    void aKeptPortTakenByAnotherProcessIsReplacedAndTheNewOneKept() throws IOException {
        EmbeddedRedis first = start();
        int port = first.port();
        first.close();
        EmbeddedRedis second;
        try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getByName(Resp.LOOPBACK))) {
            second = start();
        }

        assertNotEquals(port, second.port());
        assertAnswers(second.port());
        assertEquals(Integer.toString(second.port()), Files.readString(dataDir.resolve(EmbeddedRedis.PORT_FILE)).trim());
    }

    @Test
    void aConfiguredPortIsUsed() throws IOException {
        int port = RedisProcess.freePort();

        EmbeddedRedis redis = track(EmbeddedRedis.start(dataDir, OptionalInt.of(port)));

        assertEquals(port, redis.port());
        assertAnswers(port);
    }

    @Test
    void aConfiguredPortThatIsTakenIsRefusedInOneLine() throws IOException {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName(Resp.LOOPBACK))) {
            int port = squatter.getLocalPort();

            RefusedStartException refused = assertThrows(RefusedStartException.class,
                    () -> EmbeddedRedis.start(dataDir, OptionalInt.of(port)));

            assertTrue(refused.getMessage().startsWith("baton.embedded-redis.port=" + port + " is taken"),
                    refused.getMessage());
            assertFalse(refused.getMessage().contains("\n"));
        }
        assertAnswers(start().port(), "the refusal gave the directory up");
    }

    @Test
    void aLeftoverOnAnotherPortThanTheConfiguredOneIsReplaced() throws IOException {
        EmbeddedRedis crashed = start();
        crashed.abandon();
        int port = RedisProcess.freePort();

        EmbeddedRedis next = track(EmbeddedRedis.start(dataDir, OptionalInt.of(port)));

        assertEquals(port, next.port());
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
        assertAnswers(redis.port());
    }

    @Test
    void ignoresAnUnreadableStateFile() throws IOException {
        Files.writeString(dataDir.resolve(EmbeddedRedis.STATE_FILE), "port=not-a-number");

        EmbeddedRedis redis = start();

        assertAnswers(redis.port());
    }

    private EmbeddedRedis start() {
        try {
            return track(EmbeddedRedis.start(dataDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private EmbeddedRedis track(EmbeddedRedis redis) {
        started.add(redis);
        return redis;
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
