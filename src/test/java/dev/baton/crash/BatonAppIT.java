package dev.baton.crash;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.baton.testing.RedisServerProcess;

/**
 * The harness itself, which needs no durability: the packaged Baton is killed with SIGKILL,
 * stopped with SIGTERM and comes back on its port; and without faults the workload, drain and
 * checker find nothing wrong (no false alarms).
 */
class BatonAppIT {

    @Test
    void withoutFaultsTheCheckerFindsNothingWrong() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startNew();
                BatonApp app = BatonApp.builder("no-faults").jvmOptions(CrashRecoveryIT.FAST_START).redis(redis.uri()).build()) {
            app.start();
            BatonClient client = BatonClient.of(app);
            History history = new History();
            Workload workload = new Workload(client, history, CrashRecoveryIT.TYPE, 7);

            workload.start(2, 2);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> history.size() >= 300);
            } finally {
                workload.stop();
            }
            Workload.drain(client, history, CrashRecoveryIT.TYPE);
            QueueChecker.Result result = Workload.verify(client, history);

            System.out.println("no faults: " + result.summary());
            assertTrue(result.valid(), () -> result.summary() + "\n" + String.join("\n", result.anomalies()));
            assertEquals(0, result.unknownCalls());
            assertEquals(0, result.duplicates());
            assertTrue(result.completesOk() > 0 && result.submitsOk() > 0, result.summary());
            List<String> warnings = Files.readAllLines(app.log(), StandardCharsets.UTF_8).stream()
                    .filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
            assertEquals(List.of(), warnings, "a run without faults warns of nothing");
        }
    }

    @Test
    void killNineIsSigkillAndARestartComesBackOnTheSamePort() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startNew();
                BatonApp app = BatonApp.builder("harness").jvmOptions(CrashRecoveryIT.FAST_START).redis(redis.uri()).build()) {
            app.start();
            long firstPid = app.pid();
            int port = app.port();
            assertEquals(200, BatonClient.of(app).registerAgent("harness-agent", List.of("x"), 1).status());

            app.kill9(); // throws unless the exit status is 128 + 9
            assertFalse(app.isAlive());
            assertEquals(-1, app.readiness(), "nothing answers on the port of a killed Baton");

            app.restart();
            assertNotEquals(firstPid, app.pid());
            assertEquals(port, app.port());
            assertEquals(200, app.readiness());

            int exit = app.stop();
            assertTrue(exit == 0 || exit == 128 + 15, "SIGTERM ends Baton in order, exit status " + exit);
            assertEquals(2, app.starts());
        }
    }
}
