package dev.baton.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Starting the packaged Baton on its embedded Redis, as a user does: a second Baton on a data
 * directory in use is refused and the first keeps serving; the Redis port stays the same from one
 * start to the next; the Redis of a killed Baton is adopted; a bad setting is one line, not a stack
 * trace.
 */
class StartupIT {

    private static final Pattern REDIS_LINE = Pattern.compile(
            "embedded Redis on 127\\.0\\.0\\.1:(\\d+) \\(data .*\\) — redis-cli -p (\\d+) SUBSCRIBE task_notifications");

    private final List<BatonApp> apps = new ArrayList<>();
    private Path dataDir;

    @BeforeEach
    void dataDir() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "startup-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        apps.forEach(BatonApp::close);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    @Test
    void aSecondBatonOnTheSameDataDirIsRefusedInOneLineAndTheFirstKeepsServing() throws Exception {
        BatonApp first = start(app("first"));
        long redisPid = redisPid();

        BatonApp.Exit second = refused(app("second"));

        assertNotEquals(0, second.status(), second.stderr());
        List<String> refusals = second.stderr().lines().filter(line -> line.contains("is in use by another Baton")).toList();
        assertEquals(1, refusals.size(), second.stderr());
        assertTrue(refusals.get(0).contains("pid " + first.pid()), refusals.get(0));
        assertTrue(refusals.get(0).contains("baton.embedded-redis.data-dir"), refusals.get(0));
        assertNoStackTrace(second);
        assertEquals(redisPid, redisPid(), "the running Redis was left alone");
        assertEquals(201, BatonClient.of(first).submit("after-the-second", CrashRecoveryIT.TYPE, Map.of()).status());
        assertEquals(200, first.readiness());
    }

    @Test
    void theEmbeddedRedisPortIsTheSameAcrossStartsAndPrintedAtEach() throws Exception {
        BatonApp app = start(app("port"));
        app.stop();
        app.restart();

        List<Integer> ports = printedPorts(app);

        assertEquals(2, ports.size(), app.logTail());
        assertEquals(ports.get(0), ports.get(1));
    }

    @Test
    void theRedisOfAKilledBatonIsAdopted() throws Exception {
        BatonApp app = start(app("adopt"));
        assertEquals(201, BatonClient.of(app).submit("before-the-kill", CrashRecoveryIT.TYPE, Map.of()).status());
        long redisPid = redisPid();

        app.kill9();
        app.restart();

        assertEquals(redisPid, redisPid());
        assertTrue(Files.readString(app.log()).contains("Reusing the embedded Redis (pid " + redisPid + ")"));
        assertEquals(200, BatonClient.of(app).task("before-the-kill").status());
    }

    @Test
    void aBadSettingIsOneLineNamingItsValueAndAnExample() {
        BatonApp.Exit exit = refused(app("bad-setting").property("baton.lease-ttl", "banana"));

        assertEquals(1, exit.status(), exit.stderr());
        assertTrue(exit.stderr().lines().anyMatch(
                line -> line.equals("baton.lease-ttl=banana is not a duration; use e.g. 30s, 250ms, 24h")), exit.stderr());
        assertNoStackTrace(exit);
    }

    @Test
    void severalBadSettingsAreOneLineEach() {
        BatonApp.Exit exit = refused(app("bad-settings").durability("fast").property("baton.max-queued", "many")
                .property("baton.demote-on-retry", "maybe"));

        assertEquals(1, exit.status(), exit.stderr());
        List<String> lines = exit.stderr().lines().filter(line -> line.startsWith("baton.")).sorted().toList();
        assertEquals(List.of("baton.demote-on-retry=maybe is not true or false; use e.g. true",
                "baton.durability=fast is not one of checkpoint, journal; use e.g. checkpoint",
                "baton.max-queued=many is not a whole number; use e.g. 100"), lines, exit.stderr());
        assertNoStackTrace(exit);
    }

    @Test
    void settingsOutOfBoundsAreOneLineEachNamingTheirValues() {
        BatonApp.Exit exit = refused(app("out-of-bounds").property("baton.max-batch", "0")
                .property("baton.types.\"a.b\".max-running", "-1"));

        assertEquals(1, exit.status(), exit.stderr());
        List<String> lines = exit.stderr().lines().filter(line -> line.startsWith("baton.")).sorted().toList();
        assertEquals(List.of("baton.max-batch=0 must be greater than 0",
                "baton.types.\"a.b\".max-running=-1 must be greater than 0"), lines, exit.stderr());
        assertNoStackTrace(exit);
    }

    @Test
    void listeningBeyondLoopbackWithNoTokenIsRefusedInOneLine() throws IOException {
        BatonApp.Exit exit = refused(app("open").property("quarkus.http.host", "0.0.0.0"));

        assertEquals(1, exit.status(), exit.stderr());
        List<String> refusals = exit.stderr().lines()
                .filter(line -> line.startsWith("quarkus.http.host=0.0.0.0 listens beyond loopback with no token set")).toList();
        assertEquals(1, refusals.size(), exit.stderr());
        assertTrue(refusals.get(0).contains("baton.auth.allow-open=true"), refusals.get(0));
        assertNoStackTrace(exit);
        assertFalse(Files.exists(dataDir.resolve("baton-redis.state")), "the embedded Redis it had started is stopped");
    }

    @Test
    void allowOpenStartsWithAWarningAndSaysSoOnHealth() throws Exception {
        BatonApp app = start(app("allow-open").property("quarkus.http.host", "0.0.0.0").property("baton.auth.allow-open", "true"));

        assertTrue(Files.readString(app.log()).lines().anyMatch(line -> line.contains("WARN")
                && line.contains("listens on 0.0.0.0 with no token (baton.auth.allow-open=true)")), app.logTail());
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(app.url().resolve("/q/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(health.body().replace(" ", "").contains("\"auth\":\"open\""), health.body());
    }

    private BatonApp.Builder app(String name) {
        return BatonApp.builder("startup-" + name).jvmOptions(CrashRecoveryIT.FAST_START).embeddedDataDir(dataDir);
    }

    /** Starts an app that the test's cleanup closes (with the Redis it leaves), whatever happens. */
    private BatonApp start(BatonApp.Builder builder) {
        BatonApp app = builder.build();
        apps.add(app);
        return app.start();
    }

    private static BatonApp.Exit refused(BatonApp.Builder builder) {
        return builder.build().runExpectingExit();
    }

    private long redisPid() throws IOException {
        Properties state = new Properties();
        try (Reader reader = Files.newBufferedReader(dataDir.resolve("baton-redis.state"))) {
            state.load(reader);
        }
        return Long.parseLong(state.getProperty("pid"));
    }

    /** The ports printed since this app's first start (the log file also holds earlier runs). */
    private static List<Integer> printedPorts(BatonApp app) throws IOException {
        List<String> log = Files.readAllLines(app.log());
        int firstStart = 0;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).startsWith("===== ") && log.get(i).contains(" start 1 at ")) {
                firstStart = i;
            }
        }
        List<Integer> ports = new ArrayList<>();
        for (String line : log.subList(firstStart, log.size())) {
            Matcher matcher = REDIS_LINE.matcher(line);
            if (matcher.find()) {
                assertEquals(matcher.group(1), matcher.group(2), line);
                ports.add(Integer.parseInt(matcher.group(1)));
            }
        }
        return ports;
    }

    private static void assertNoStackTrace(BatonApp.Exit exit) {
        String output = exit.stdout() + exit.stderr();
        assertFalse(output.lines().anyMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by")),
                output);
    }
}
