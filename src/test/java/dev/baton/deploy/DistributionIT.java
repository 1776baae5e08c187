package dev.baton.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The distribution (target/baton-<version>.tar.gz, made by package) as a user runs it: unpacked,
 * with nothing but a Java runtime on the PATH, started, used, asked for its status and stopped by
 * bin/baton, which reads conf/application.properties and conf/jvm.options and refuses a second
 * start on the same data.
 */
class DistributionIT {

    private static final Path ARCHIVE = Path.of(System.getProperty("baton.dist", "target/baton-0.1.0-SNAPSHOT.tar.gz"));
    private static final Pattern STARTED = Pattern.compile("Baton started \\(pid (\\d+),");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);
    /** The first stop with the JVM cache on waits for the JVM to write it. */
    private static final Duration CACHE_WRITE_TIMEOUT = Duration.ofSeconds(400);

    private final HttpClient http = HttpClient.newHttpClient();
    private Path home;
    private int port;

    @BeforeEach
    void unpack() throws Exception {
        assertTrue(Files.isRegularFile(ARCHIVE), ARCHIVE + " is missing: it is made by ./mvnw package");
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "dist-it-");
        Result tar = run(dir, List.of("tar", "xzf", ARCHIVE.toAbsolutePath().toString()));
        assertEquals(0, tar.status(), tar.output());
        try (var unpacked = Files.list(dir)) {
            home = unpacked.findFirst().orElseThrow();
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // the port through the config file, to show bin/baton hands it to Baton
        Files.writeString(home.resolve("conf/application.properties"), "\nquarkus.http.port=" + port + "\n",
                StandardOpenOption.APPEND);
    }

    /** Whether the kernel gives huge pages to a process that asks (THP "always" or "madvise"). */
    private static boolean kernelOffersHugePages() throws IOException {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        return Files.exists(thp) && Files.readString(thp).matches("(?s).*\\[(always|madvise)\\].*");
    }

    @AfterEach
    void stopLeftovers() throws Exception {
        if (home != null) {
            baton("stop");
        }
    }

    @Test
    void startsFromTheArchiveWithOnlyAJavaRuntimeServesStopsAndRefusesASecondStart() throws Exception {
        Result start = baton("start");
        assertEquals(0, start.status(), start.output() + log());
        Matcher started = STARTED.matcher(start.output());
        assertTrue(started.find(), start.output());
        long pid = Long.parseLong(started.group(1));

        await().atMost(Duration.ofSeconds(30)).until(() -> get("/q/health/ready").statusCode() == 200);
        String commandLine = ProcessHandle.of(pid).flatMap(p -> p.info().arguments()).map(a -> String.join(" ", a)).orElse("");
        assertTrue(commandLine.contains("-XX:+ExitOnOutOfMemoryError"), "conf/jvm.options: " + commandLine);
        assertTrue(commandLine.contains("-Ddist.it=yes"), "BATON_JAVA_OPTS: " + commandLine);
        assertEquals(kernelOffersHugePages(), commandLine.contains("-XX:+UseTransparentHugePages"),
                "transparent huge pages asked for exactly where Linux offers them: " + commandLine);

        runATask();

        Result status = baton("status");
        assertEquals(0, status.status(), status.output());
        assertTrue(status.output().contains("pid " + pid), status.output());
        assertTrue(Files.readString(home.resolve("data/baton.lock")).contains("pid=" + pid), "Baton's own lock names it");

        Result second = baton("start");
        assertEquals(1, second.status(), second.output());
        assertTrue(second.output().contains("already runs on " + home.resolve("data").toRealPath() + " (pid " + pid + ")"),
                second.output());
        assertEquals(200, get("/q/health/ready").statusCode(), "the first one keeps serving");

        Result stop = baton("stop");
        assertEquals(0, stop.status(), stop.output());
        // stop returned once the process had exited; its parent, init, reaps it a moment later
        await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(log().contains("final checkpoint written"), log());
        Result after = baton("status");
        assertEquals(3, after.status(), after.output());
        assertTrue(after.output().contains("not running"), after.output());
    }

    /**
     * BATON_JVM_CACHE=auto (opt-in): the first clean stop writes the JVM's start-up cache into
     * the data directory, and the next start hands it to the JVM, which must accept it: with
     * {@code -Xshare:on} a cache the JVM in use cannot map is a failed start, not a warning.
     */
    @Test
    void theFirstCleanStopWritesTheJvmCacheAndTheNextStartUsesIt() throws Exception {
        assertEquals(0, baton("start", Map.of("BATON_JVM_CACHE", "auto")).status(), log());
        runATask();
        Result stop = baton("stop", Map.of(), CACHE_WRITE_TIMEOUT);
        assertEquals(0, stop.status(), stop.output() + log());
        String firstLog = log();
        Path cache;
        try (var files = Files.list(home.resolve("data"))) {
            cache = files.filter(f -> f.getFileName().toString().matches("baton-jdk\\d+\\.(jsa|aot)")).findFirst()
                    .orElseThrow(() -> new AssertionError("no JVM cache in data/: " + firstLog));
        }
        assertTrue(Files.size(cache) > 0, cache.toString());

        Result again = baton("start", Map.of("BATON_JVM_CACHE", "auto", "BATON_JAVA_OPTS", "-Xshare:on"));
        assertEquals(0, again.status(), again.output() + log());
        Matcher started = STARTED.matcher(again.output());
        assertTrue(started.find(), again.output());
        String commandLine = ProcessHandle.of(Long.parseLong(started.group(1))).flatMap(p -> p.info().arguments())
                .map(a -> String.join(" ", a)).orElse("");
        assertTrue(commandLine.contains(cache.toString()) && !commandLine.contains("Output="), commandLine);
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/q/health/ready").statusCode() == 200);
        assertEquals(200, get("/v1/tasks/dist-1").statusCode());
    }

    private void runATask() throws Exception {
        assertEquals(200, send("PUT", "/v1/agents/dist-agent", "{\"capabilities\": [\"dist\"]}").statusCode());
        assertEquals(201, send("POST", "/v1/tasks", "{\"id\": \"dist-1\", \"type\": \"dist\"}").statusCode());
        HttpResponse<String> claim = send("POST", "/v1/agents/dist-agent/claim?wait_ms=5000", "");
        assertEquals(200, claim.statusCode(), claim.body());
        Matcher lease = Pattern.compile("\"lease_id\"\\s*:\\s*\"([^\"]+)\"").matcher(claim.body());
        assertTrue(lease.find(), claim.body());
        HttpResponse<String> complete = send("POST", "/v1/tasks/dist-1/complete", "{\"lease_id\": \"" + lease.group(1) + "\"}");
        assertEquals(200, complete.statusCode(), complete.body());
        assertTrue(get("/v1/tasks/dist-1").body().contains("\"COMPLETED\""));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(url(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher body = json.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).method(method, body);
        if (!json.isEmpty()) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private String log() throws IOException {
        Path log = home.resolve("logs/baton.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    /** bin/baton with a PATH of the Java runtime's bin and the system's /usr/bin:/bin only. */
    private Result baton(String command) throws Exception {
        return baton(command, Map.of());
    }

    /** bin/baton with these environment variables set over the usual ones. */
    private Result baton(String command, Map<String, String> environment) throws Exception {
        return baton(command, environment, SCRIPT_TIMEOUT);
    }

    private Result baton(String command, Map<String, String> environment, Duration timeout) throws Exception {
        return run(home, List.of(home.resolve("bin/baton").toString(), command), environment, timeout);
    }

    private static Result run(Path dir, List<String> command) throws Exception {
        return run(dir, command, Map.of(), SCRIPT_TIMEOUT);
    }

    private static Result run(Path dir, List<String> command, Map<String, String> environment, Duration timeout)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        env.put("BATON_JAVA_OPTS", "-Ddist.it=yes");
        env.put("BATON_JVM_CACHE", "off"); // on in the test of the cache only: writing it makes the first stop slower
        env.putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes(); // the script's own output; Baton's goes to its log
        assertTrue(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS), "bin/baton did not return: " + command);
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private record Result(int status, String output) {
    }
}
