package dev.baton.crash;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisServerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with SSE subscribers connected: the packaged Baton ends every stream (the per-task ones
 * and {@code /v1/events}) as shutdown begins, rather than the HTTP server waiting for them until
 * {@code quarkus.shutdown.timeout} and logging an error, and exits at once.
 */
class SseShutdownIT {

    static final int SUBSCRIBERS = 100;
    static final int TASK_STREAMS = 20;
    /** The aim is under a second; a loaded build machine gets some slack. */
    static final Duration STOP_BOUND = Duration.ofSeconds(3);

    @Test
    void sigtermWithAHundredSubscribersEndsEveryStreamAndStopsAtOnceWithoutAnError() throws Exception {
        ExecutorService readers = Executors.newCachedThreadPool();
        try (RedisServerProcess redis = RedisServerProcess.startNew();
                BatonApp app = BatonApp.builder("sse-shutdown-" + System.currentTimeMillis())
                        .jvmOptions(CrashRecoveryIT.FAST_START).redis(redis.uri()).build()) {
            app.start();
            BatonClient client = BatonClient.of(app);
            for (int i = 0; i < TASK_STREAMS; i++) {
                assertEquals(201, client.submit("sse-shutdown-" + i, CrashRecoveryIT.TYPE, Map.of()).status());
            }

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(readers).build();
            AtomicInteger connected = new AtomicInteger();
            List<CompletableFuture<String>> streams = new ArrayList<>();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                String path = i < TASK_STREAMS ? "/v1/tasks/sse-shutdown-" + i + "/events" : "/v1/events";
                HttpRequest request = HttpRequest.newBuilder(URI.create(app.url() + path))
                        .header("Accept", "text/event-stream").GET().build();
                streams.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                        .thenApplyAsync(response -> readToEnd(response, connected), readers));
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(SUBSCRIBERS, connected.get(),
                    "subscribers connected"));

            long start = System.nanoTime();
            int exit = app.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("SIGTERM with %d SSE subscribers: Baton exited in %d ms%n", SUBSCRIBERS, took.toMillis());

            assertTrue(exit == 0 || exit == 128 + 15, "SIGTERM ends Baton in order, exit status " + exit);
            assertTrue(took.compareTo(STOP_BOUND) < 0, "Baton took " + took.toMillis() + " ms to stop; log:\n" + app.logTail());
            List<String> errors = Files.readAllLines(app.log(), StandardCharsets.UTF_8).stream()
                    .filter(line -> line.contains(" ERROR ")).collect(Collectors.toList());
            assertEquals(List.of(), errors, "no ERROR in the log");
            for (CompletableFuture<String> stream : streams) {
                assertEquals("ended", stream.get(10, TimeUnit.SECONDS), "every client sees its stream end");
            }
        } finally {
            readers.shutdownNow();
        }
    }

    /** Reads the stream to its end: "ended" when it ended cleanly (the chunked body's last chunk came). */
    private static String readToEnd(HttpResponse<InputStream> response, AtomicInteger connected) {
        if (response.statusCode() != 200) {
            return "status " + response.statusCode();
        }
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            boolean first = true;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (first) {
                    connected.incrementAndGet();
                    first = false;
                }
            }
            return "ended";
        } catch (IOException e) {
            throw new UncheckedIOException("the stream broke instead of ending", e);
        }
    }
}
