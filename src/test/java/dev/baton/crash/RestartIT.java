package dev.baton.crash;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.testing.RedisServerProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A kill -9 and a restart in the same folder, as a user of the embedded Redis meets them: the
 * successor adopts the Redis left running, takes the dead predecessor's writer lease at once (no
 * wait for it to lapse) and recovers every task. Prints the kill -9 → ready time; the bound asserted
 * is generous, because the machines running it are shared. And a schedule across kill -9s, with a
 * second Baton standing by on the same Redis: each tick fires exactly once, only by the writer.
 */
class RestartIT {

    static final int TASKS = 2_500;
    static final int BATCH = 100;
    static final Duration GENEROUS_READY_BOUND = Duration.ofSeconds(45);
    static final String TAKEOVER_LINE = "took over the writer lease at once";
    /** Far longer than a restart takes (and than the bound above, which allows for a loaded machine), so a quick
     * restart can only be a takeover, not a lease that lapsed. */
    static final String WRITER_LEASE_TTL = "60s";
    static final String SCHEDULE = "every-second";
    static final String SCHEDULE_TYPE = "tick";
    /** Ticks each writer fires before the next step (one a second). */
    static final int TICKS_PER_TURN = 2;
    /** A small page, so that the listing of some 20 ticks really pages. */
    static final int PAGE = 4;

    private final List<BatonApp> apps = new ArrayList<>();
    private Path dataDir;
    private RedisServerProcess redis;

    @AfterEach
    void cleanUp() throws IOException {
        apps.forEach(BatonApp::close);
        if (redis != null) {
            redis.close();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void afterAKill9TheRestartTakesTheLeaseAtOnceAndRecoversEveryTask() throws Exception {
        dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "restart-");
        BatonApp app = BatonApp.builder("restart").embeddedDataDir(dataDir)
                .property("baton.writer-lease-ttl", WRITER_LEASE_TTL).build();
        apps.add(app);
        app.start();
        BatonClient client = BatonClient.of(app);
        Set<String> submitted = new TreeSet<>();
        for (int from = 0; from < TASKS; from += BATCH) {
            List<Map<String, ?>> members = IntStream.range(from, from + BATCH)
                    .mapToObj(i -> Map.<String, Object>of("id", "restart-" + i, "type", "restart", "payload", Map.of("n", i)))
                    .collect(Collectors.toList());
            BatonClient.Reply reply = client.batch(members);
            assertTrue(reply.ok(), () -> "batch refused: " + reply);
            members.forEach(member -> submitted.add((String) member.get("id")));
        }

        long killed = System.nanoTime();
        app.kill9();
        app.restart();
        Duration toReady = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("restart: kill -9 -> /q/health/ready UP in %d ms with %d tasks%n", toReady.toMillis(), TASKS);

        String restartLog = lastStart(Files.readString(app.log()));
        assertTrue(restartLog.contains(TAKEOVER_LINE), () -> "the restart did not take the lease at once:\n" + restartLog);
        assertEquals(TASKS, client.stats().body().get("pending").asInt(), "pending after the restart");
        Set<String> recovered = client.allTasks().stream()
                .filter(task -> "PENDING".equals(task.get("status").asText()))
                .map(task -> task.get("id").asText())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(submitted, recovered, "pending tasks after the restart");
        assertTrue(toReady.compareTo(GENEROUS_READY_BOUND) < 0, () -> "kill -9 -> ready took " + toReady);
    }

    /**
     * A schedule firing every second with {@code catch_up: all}, two packaged Batons on one Redis.
     * A is the writer and fires; B, started beside it, stands by and makes no task. kill -9 of A:
     * B takes the lease and fires the ticks missed meanwhile, then its own. A restarted stands by
     * in turn (makes nothing); kill -9 of B: A takes over. In the end every tick from the first to
     * the last has exactly one task, {@code sched-<id>-<tick>}, and every one each writer was seen
     * to fire is among them.
     */
    @Test
    void aScheduleFiresEachTickOnceAcrossKill9sAndTheBatonStandingByFiresNothing() throws Exception {
        redis = RedisServerProcess.startNew();
        BatonApp a = scheduleApp("schedule-a").start();
        BatonClient toA = BatonClient.of(a);
        BatonClient.Reply made = toA.post("/v1/schedules", Map.of("id", SCHEDULE, "every", "1s", "catch_up", "all",
                "template", Map.of("type", SCHEDULE_TYPE)));
        assertEquals(201, made.status(), () -> "schedule refused: " + made);
        long firstTick = Instant.parse(made.text("next_run")).getEpochSecond();

        BatonApp b = scheduleApp("schedule-b").startStandby();
        BatonClient toB = BatonClient.of(b);
        TreeSet<Long> firedByA = awaitMoreTicks(toA, firedTicks(toA).size() + TICKS_PER_TURN);
        assertStandingBy(b, "B, while A is the writer");
        firedByA = firedTicks(toA);

        a.kill9();
        b.awaitReady();
        TreeSet<Long> firedByB = awaitMoreTicks(toB, firedByA.size() + TICKS_PER_TURN);
        a.startStandby();
        awaitMoreTicks(toB, firedTicks(toB).size() + TICKS_PER_TURN);
        assertStandingBy(a, "A restarted, while B is the writer");
        firedByB = firedTicks(toB);

        b.kill9();
        a.awaitReady();
        TreeSet<Long> all = awaitMoreTicks(toA, firedByB.size() + TICKS_PER_TURN);
        System.out.printf("schedule: %d ticks, one task each, across two kill -9s (%d seen fired before the first, %d before the second)%n",
                all.size(), firedByA.size(), firedByB.size());
        assertEquals(firstTick, all.first(), "the first tick");
        assertEquals(all.last() - all.first() + 1, all.size(), () -> "ticks missing between the first and the last: " + all);
        assertTrue(all.containsAll(firedByA) && all.containsAll(firedByB), () -> "a tick fired before a kill -9 is gone: " + all);
    }

    private BatonApp scheduleApp(String name) {
        BatonApp app = BatonApp.builder(name).jvmOptions(CrashRecoveryIT.FAST_START).redis(redis.uri())
                .property("baton.writer-lease-ttl", WRITER_LEASE_TTL).build();
        apps.add(app);
        return app;
    }

    /** Until the schedule's tasks cover at least {@code count} ticks; returns them. */
    private static TreeSet<Long> awaitMoreTicks(BatonClient client, int count) {
        AtomicReference<TreeSet<Long>> ticks = new AtomicReference<>();
        await("ticks fired").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    ticks.set(firedTicks(client));
                    return ticks.get().size() >= count;
                });
        return ticks.get();
    }

    /**
     * The ticks of the schedule's tasks, listed by type page after page: every task of the type has
     * the id {@code sched-<id>-<epoch seconds of its tick>}, and no tick has two.
     */
    private static TreeSet<Long> firedTicks(BatonClient client) throws IOException, InterruptedException {
        Pattern id = Pattern.compile("sched-" + SCHEDULE + "-(\\d+)");
        TreeSet<Long> ticks = new TreeSet<>();
        List<String> ids = new ArrayList<>();
        String after = null;
        do {
            BatonClient.Reply page = client.get("/v1/tasks?type=" + SCHEDULE_TYPE + "&limit=" + PAGE
                    + (after == null ? "" : "&after=" + after));
            assertTrue(page.ok(), () -> "listing answered " + page);
            for (JsonNode task : page.body().path("tasks")) {
                String taskId = task.path("id").asText();
                Matcher tick = id.matcher(taskId);
                assertTrue(tick.matches(), () -> "a task of the schedule's type that it did not make: " + taskId);
                ids.add(taskId);
                assertTrue(ticks.add(Long.parseLong(tick.group(1))), () -> "two tasks for one tick: " + taskId);
            }
            after = page.text("next_after");
        } while (after != null);
        assertEquals(ids.size(), new TreeSet<>(ids).size(), () -> "a task listed twice: " + ids);
        return ticks;
    }

    /** Not ready, waiting for the writer lease, and it has made no task and fired no schedule. */
    private static void assertStandingBy(BatonApp app, String who) throws IOException, InterruptedException {
        assertEquals(503, app.readiness(), who + ": readiness");
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.url().resolve("/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher submitted = Pattern.compile("(?m)^baton_tasks_submitted_total(?:\\{[^}]*\\})? (\\S+)$").matcher(metrics);
        assertEquals(0.0, submitted.find() ? Double.parseDouble(submitted.group(1)) : 0.0, who + ": tasks submitted");
        assertFalse(metrics.contains("baton_schedule_runs_total"), () -> who + ": a schedule fired\n" + metrics);
        assertTrue(Files.readString(app.log()).contains("holds the writer lease; waiting until it lapses"),
                () -> who + ": not waiting for the writer lease\n" + app.logTail());
    }

    /** The part of the app's log written by its last start (every start appends a header line). */
    private static String lastStart(String log) {
        return log.substring(log.lastIndexOf("===== restart start"));
    }
}
