package dev.baton.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.baton.testing.RedisServerProcess;

/** The harness itself: the packaged Baton is killed with SIGKILL, stopped with SIGTERM, and comes back on its port. */
class BatonAppIT {

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
