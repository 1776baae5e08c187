package dev.baton.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A kill -9 and a restart in the same folder, as a user of the embedded Redis meets them: the
 * successor adopts the Redis left running, takes the dead predecessor's writer lease at once (no
 * wait for it to lapse) and recovers every task. Prints the kill -9 → ready time; the bound asserted
 * is generous, because the machines running it are shared.
 */
class RestartIT {

    static final int TASKS = 2_500;
    static final int BATCH = 100;
    static final Duration GENEROUS_READY_BOUND = Duration.ofSeconds(45);
    static final String TAKEOVER_LINE = "took over the writer lease at once";
    /** Far longer than a restart takes (and than the bound above, which allows for a loaded machine), so a quick
     * restart can only be a takeover, not a lease that lapsed. */
    static final String WRITER_LEASE_TTL = "60s";

    private final List<BatonApp> apps = new ArrayList<>();
    private Path dataDir;

    @AfterEach
    void cleanUp() throws IOException {
        apps.forEach(BatonApp::close);
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

    /** The part of the app's log written by its last start (every start appends a header line). */
    private static String lastStart(String log) {
        return log.substring(log.lastIndexOf("===== restart start"));
    }
}
