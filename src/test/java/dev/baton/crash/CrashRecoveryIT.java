package dev.baton.crash;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.baton.crash.History.Kind;
import dev.baton.store.RedisKeys;
import dev.baton.store.RespClient;
import dev.baton.testing.RedisServerProcess;

/**
 * The crash tests against the packaged Baton as a child process and a real
 * redis-server: kill -9 at random moments under load (a Jepsen-style history checked for lost and
 * unexpected tasks), recovery after SIGTERM and kill -9 in both durability modes, a frozen Redis
 * (SIGSTOP), a Redis that comes back empty, and the embedded Redis across restarts.
 *
 * <p>Runs in failsafe's integration-test phase, after {@code package} built the jar:
 * {@code ./mvnw verify -Dtest=QueueCheckerTest -Dit.test=CrashRecoveryIT}. Logs of every Baton go to
 * {@code target/crash-logs/}. Only what the mode guarantees is asserted: in {@code journal} mode
 * nothing acknowledged is lost; in {@code checkpoint} mode nothing after a clean shutdown, or after
 * a kill that comes more than two intervals after the last change.
 *
 * <p>Tagged {@value #DURABILITY}, so {@code ./mvnw verify -DexcludedGroups=durability} can leave
 * them out while the harness ({@link BatonAppIT}) still runs.
 */
@Tag(CrashRecoveryIT.DURABILITY)
class CrashRecoveryIT {

    static final String DURABILITY = "durability";

    static final String TYPE = "crash";
    static final int KILLS_PER_SEED = 3;
    static final int MIN_OPS_BETWEEN_KILLS = 100;
    static final int MORE_OPS_BETWEEN_KILLS = 300;
    static final int OPS_AFTER_LAST_RESTART = 200;
    static final String LEASE_TTL = "3s";
    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);
    static final long CHECKPOINT_INTERVAL_MILLIS = 200;
    static final long ACK_TIMEOUT_MILLIS = 1_000;
    static final RedisKeys KEYS = new RedisKeys("{baton}:");
    /**
     * A killed Baton's successor waits for its writer lease to lapse; a short lease (renewed by every
     * checkpoint) keeps the restarts quick without making them a different kind of restart.
     */
    static final String WRITER_LEASE_TTL = "4s";
    static final String CHECKPOINT_INTERVAL = "500ms";
    /** Baton's speed is not the subject here, its start-up time is: C1 only and one GC thread start it ~35 % sooner. */
    static final List<String> FAST_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private RedisServerProcess redis;
    private final List<BatonApp> apps = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        redis = RedisServerProcess.startNew();
    }

    @AfterEach
    void stopEverything() {
        apps.forEach(BatonApp::close);
        if (redis != null) {
            redis.close();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Random kill -9 under load

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 22, 33})
    void randomKillsUnderLoadLoseNothingAcknowledged(long seed) throws Exception {
        BatonApp app = start(app("random-" + seed, "journal").property("baton.lease-ttl", LEASE_TTL));
        BatonClient client = BatonClient.of(app);
        History history = new History();
        Workload workload = new Workload(client, history, TYPE, seed);
        Random nemesis = new Random(seed);

        workload.start(2, 2);
        try {
            for (int kill = 0; kill < KILLS_PER_SEED; kill++) {
                awaitOps(history, MIN_OPS_BETWEEN_KILLS + nemesis.nextInt(MORE_OPS_BETWEEN_KILLS));
                workload.gate().close();
                app.kill9();
                app.restart();
                workload.gate().open();
            }
            awaitOps(history, OPS_AFTER_LAST_RESTART);
        } finally {
            workload.stop();
        }
        Workload.drain(client, history, TYPE);
        QueueChecker.Result result = Workload.verify(client, history);

        System.out.printf("crash seed=%d restarts=%d %s%n", seed, app.starts() - 1, result.summary());
        assertTrue(result.valid(), () -> "seed " + seed + ": " + result.summary() + "\n" + String.join("\n", result.anomalies()));
    }

    // ------------------------------------------------------------------------------------------
    // Recovery in both modes

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"journal", "checkpoint"})
    void aCleanShutdownLosesNothing(String mode) throws Exception {
        BatonApp app = start(app("sigterm-" + mode, mode));
        Steps steps = new Steps(BatonClient.of(app));
        steps.mixedWork("sigterm-" + mode);

        app.stop();
        app.restart();

        steps.assertNothingLost();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"journal", "checkpoint"})
    void aKillLosesNothingTheModeGuarantees(String mode) throws Exception {
        BatonApp app = start(app("kill-" + mode, mode)
                .property("baton.checkpoint-interval", CHECKPOINT_INTERVAL_MILLIS + "ms"));
        Steps steps = new Steps(BatonClient.of(app));
        steps.mixedWork("kill-" + mode);
        if (mode.equals("checkpoint")) {
            // Elapsed time is the subject: checkpoint mode promises only what is older than an interval.
            Thread.sleep(3 * CHECKPOINT_INTERVAL_MILLIS);
        }

        app.kill9();
        app.restart();

        steps.assertNothingLost();
    }

    // ------------------------------------------------------------------------------------------
    // Redis in trouble

    @Test
    void aFrozenRedisTurnsDurableCallsAndReadinessTo503WhileClaimsGoOn() throws Exception {
        BatonApp app = start(app("sigstop", "journal").property("baton.ack-timeout", ACK_TIMEOUT_MILLIS + "ms"));
        BatonClient client = BatonClient.of(app);
        Steps steps = new Steps(client);
        steps.registerAgent("frozen-agent");
        for (int i = 0; i < 3; i++) {
            steps.submit("frozen-" + i);
        }

        BatonClient.Lease lease;
        signal("STOP", redis.pid());
        try {
            await("readiness down").atMost(Duration.ofSeconds(15)).until(() -> app.readiness() == 503);
            BatonClient patient = client.withTimeout(Duration.ofMillis(ACK_TIMEOUT_MILLIS + 1_000));
            History.Call submit = steps.history.invoke("test", Kind.SUBMIT, "frozen-late", null);
            try {
                BatonClient.Reply reply = patient.submit("frozen-late", TYPE, Map.of("id", "frozen-late"));
                submit.answered(reply);
                assertEquals(503, reply.status(), () -> "a submit while Redis is frozen answered " + reply);
            } catch (HttpTimeoutException e) {
                submit.unanswered();
                fail("a submit while Redis is frozen did not answer 503 within ack-timeout + 1 s");
            }
            lease = steps.claim("frozen-agent");
        } finally {
            signal("CONT", redis.pid());
        }
        await("readiness up").atMost(Duration.ofSeconds(30)).until(() -> app.readiness() == 200);
        assertEquals(1, app.starts(), "Baton came back without a restart");
        steps.complete(lease);

        app.kill9();
        app.restart();

        steps.assertNothingLost();
    }

    @Test
    void aRedisThatComesBackEmptyIsRewritten() throws Exception {
        BatonApp app = start(app("empty-redis", "journal"));
        Steps steps = new Steps(BatonClient.of(app));
        List<String> ids = steps.mixedWork("empty");

        redis.stop();
        redis.deleteData();
        redis.start();
        await("Baton rewrites its state into the empty Redis").atMost(Duration.ofSeconds(20))
                .until(() -> allWrittenBack(ids));
        await("readiness up").atMost(Duration.ofSeconds(30)).until(() -> app.readiness() == 200);

        app.kill9();
        app.restart();

        steps.assertNothingLost();
    }

    @Test
    void aWriterPausedPastItsLeaseAndResumedAfterATakeoverLosesNothingAcknowledged() throws Exception {
        BatonApp first = start(app("fenced-first", "journal").property("baton.lease-ttl", LEASE_TTL));
        History history = new History();
        Workload onFirst = new Workload(BatonClient.of(first), history, TYPE, 41);
        onFirst.start(2, 2);
        Workload onSecond = null;
        try {
            awaitOps(history, MIN_OPS_BETWEEN_KILLS);
            signal("STOP", first.pid());
            BatonApp second;
            try {
                // ready once the first one's writer lease has lapsed
                second = start(app("fenced-second", "journal").property("baton.lease-ttl", LEASE_TTL));
            } finally {
                signal("CONT", first.pid());
            }
            onSecond = new Workload(BatonClient.of(second), history, TYPE, 42);
            onSecond.start(2, 2);
            awaitOps(history, MIN_OPS_BETWEEN_KILLS);
            await("the first one steps down").atMost(LOAD_TIMEOUT).until(() -> first.readiness() != 200);
            awaitOps(history, OPS_AFTER_LAST_RESTART);
            onFirst.stop();
            onSecond.stop();
            first.kill9();
            second.kill9();
            second.restart();
            BatonClient client = BatonClient.of(second);
            Workload.drain(client, history, TYPE);
            QueueChecker.Result result = Workload.verify(client, history);
            System.out.printf("fenced takeover %s%n", result.summary());
            assertTrue(result.valid(), () -> result.summary() + "\n" + String.join("\n", result.anomalies()));
        } finally {
            onFirst.stop();
            if (onSecond != null) {
                onSecond.stop();
            }
        }
    }

    @Test
    void aRedisThatLostTheEndOfItsAppendOnlyFileIsWrittenWholeAgain() throws Exception {
        BatonApp app = start(app("cut-aof", "journal"));
        Steps steps = new Steps(BatonClient.of(app));
        steps.mixedWork("before-cut");
        Path aof;
        try (var files = Files.list(redis.dataDir().resolve("appendonlydir"))) {
            aof = files.filter(file -> file.getFileName().toString().endsWith(".incr.aof")).findFirst().orElseThrow();
        }
        long kept = Files.size(aof);
        List<String> ids = steps.mixedWork("after-cut");
        // a checkpoint (and its journal trim) of the work that is then lost
        await("a checkpoint of the work").atMost(Duration.ofSeconds(30)).until(() -> allWrittenBack(ids));

        redis.stop();
        try (var file = java.nio.channels.FileChannel.open(aof, java.nio.file.StandardOpenOption.WRITE)) {
            file.truncate(kept); // what a power loss leaves with appendfsync everysec
        }
        redis.start();
        await("Baton writes its state again").atMost(Duration.ofSeconds(30)).until(() -> allWrittenBack(ids));

        app.kill9();
        app.restart();
        steps.assertNothingLost();
    }

    // ------------------------------------------------------------------------------------------
    // Embedded default

    @Test
    void theEmbeddedRedisKeepsTasksAcrossARestartInTheSameFolder() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "crash-embedded-");
        try {
            BatonApp app = start(BatonApp.builder("embedded").jvmOptions(FAST_START).embeddedDataDir(dataDir));
            Steps steps = new Steps(BatonClient.of(app));
            steps.mixedWork("embedded");

            app.stop();
            app.restart();

            steps.assertNothingLost();
        } finally {
            apps.forEach(BatonApp::close);
            deleteTree(dataDir);
        }
    }

    // ------------------------------------------------------------------------------------------

    private BatonApp.Builder app(String name, String mode) {
        return BatonApp.builder(name).jvmOptions(FAST_START).redis(redis.uri()).durability(mode)
                .property("baton.writer-lease-ttl", WRITER_LEASE_TTL)
                .property("baton.checkpoint-interval", CHECKPOINT_INTERVAL);
    }

    /** Builds and starts an app that the test's cleanup stops, whatever happens. */
    private BatonApp start(BatonApp.Builder builder) {
        BatonApp app = builder.build();
        apps.add(app);
        return app.start();
    }

    /** Every task is back in Redis: a live one in the tasks hash, a finished one under its own key. */
    private boolean allWrittenBack(List<String> ids) {
        try {
            for (String id : ids) {
                boolean live = Long.valueOf(1).equals(RespClient.call(redis.port(), "HEXISTS", KEYS.tasks(), id));
                if (!live && !Long.valueOf(1).equals(RespClient.call(redis.port(), "EXISTS", KEYS.finished(id)))) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitOps(History history, int more) {
        int target = history.size() + more;
        await("" + more + " more calls").atMost(LOAD_TIMEOUT).until(() -> history.size() >= target);
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    /**
     * Single-threaded steps whose acknowledgements are recorded in a {@link History}, so the end
     * state is judged by the same {@link QueueChecker} as the random test.
     */
    static final class Steps {
        final BatonClient client;
        final History history = new History();

        Steps(BatonClient client) {
            this.client = client;
        }

        /**
         * Ten tasks: three claimed and completed, two cancelled, one claimed and left running,
         * the rest pending. Returns their ids.
         */
        List<String> mixedWork(String prefix) throws IOException, InterruptedException {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(submit(prefix + "-" + i));
            }
            String agent = prefix + "-agent";
            registerAgent(agent);
            for (int i = 0; i < 3; i++) {
                complete(claim(agent));
            }
            claim(agent);
            cancel(ids.get(8));
            cancel(ids.get(9));
            return ids;
        }

        void registerAgent(String agent) throws IOException, InterruptedException {
            BatonClient.Reply reply = client.registerAgent(agent, List.of(TYPE), 10);
            assertEquals(200, reply.status(), () -> "register " + agent + ": " + reply);
        }

        String submit(String id) throws IOException, InterruptedException {
            BatonClient.Reply reply = client.submit(id, TYPE, Map.of("id", id));
            history.invoke("test", Kind.SUBMIT, id, null).answered(reply);
            assertEquals(201, reply.status(), () -> "submit " + id + ": " + reply);
            return id;
        }

        BatonClient.Lease claim(String agent) throws IOException, InterruptedException {
            History.Call call = history.invoke("test", Kind.CLAIM, null, null);
            BatonClient.Reply reply = client.claim(agent, 1, 0);
            History.Op op = call.answered(reply);
            assertEquals(200, reply.status(), () -> "claim by " + agent + ": " + reply);
            return op.claimed().get(0);
        }

        void complete(BatonClient.Lease lease) throws IOException, InterruptedException {
            BatonClient.Reply reply = client.complete(lease);
            history.invoke("test", Kind.COMPLETE, lease.taskId(), lease.leaseId()).answered(reply);
            assertEquals(200, reply.status(), () -> "complete " + lease + ": " + reply);
        }

        void cancel(String id) throws IOException, InterruptedException {
            BatonClient.Reply reply = client.cancel(id);
            history.invoke("test", Kind.CANCEL, id, null).answered(reply);
            assertEquals(200, reply.status(), () -> "cancel " + id + ": " + reply);
        }

        void assertNothingLost() throws IOException, InterruptedException {
            QueueChecker.Result result = Workload.verify(client, history);
            assertTrue(result.valid(), () -> result.summary() + "\n" + String.join("\n", result.anomalies()));
            assertFalse(result.submitsOk() == 0, "the scenario acknowledged nothing");
        }
    }
}
