package dev.baton.client;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * The packaged Baton ({@code -Dbaton.jar}, by default {@code ../../target/quarkus-app/quarkus-run.jar})
 * as a child process on a free port, with its own embedded Redis in a temporary directory; one is
 * shared by every test class of a run and stopped when the JVM exits. Without the jar the tests are
 * skipped (build it with {@code ./mvnw -DskipTests package} at the root).
 */
final class BatonServer {

    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration HEARTBEAT = LEASE.dividedBy(3);
    static final int RING_SIZE = 200; // events kept for Last-Event-ID, small so that a test can outrun it

    /** Short leases so that heartbeats, cancels and lost leases show within a test's few seconds. */
    private static final Map<String, String> PROPERTIES = Map.of(
            "baton.lease-ttl", LEASE.toSeconds() + "s",
            "baton.retry.backoff", "1s",
            "baton.agent-ttl", "30s",
            "baton.events.ring-size", Integer.toString(RING_SIZE),
            "baton.ack-timeout", "2s");

    private static BatonServer shared;

    private final Process process;
    private final Path dir;
    private final Path log;
    final String url;

    private BatonServer(Path jar) throws IOException {
        int port = freePort();
        this.url = "http://127.0.0.1:" + port;
        this.dir = Files.createTempDirectory("baton-javaclient-");
        this.log = dir.resolve("baton.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + port,
                "-Dbaton.embedded-redis.data-dir=" + dir.resolve("data")));
        new LinkedHashMap<>(PROPERTIES).forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        this.process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** The Baton every test shares, started at the first call. */
    static synchronized BatonServer shared() {
        if (shared == null) {
            Path jar = Path.of(System.getProperty("baton.jar", "../../target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
            Assumptions.assumeTrue(Files.exists(jar), "no packaged Baton at " + jar + " (./mvnw -DskipTests package)");
            try {
                BatonServer server = new BatonServer(jar);
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
                server.awaitReady();
                shared = server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    BatonClient client() {
        return BatonClient.builder().url(url).retryBudget(Duration.ofSeconds(15)).build();
    }

    private void awaitReady() {
        HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        try {
            await("Baton ready at " + url).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Baton exited with " + process.exitValue() + ":\n" + logTail());
                }
                try {
                    return probe.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            stop();
            throw new IllegalStateException(e.getMessage() + "\n" + logTail(), e);
        }
    }

    /** The pids of the embedded Redis: the redis-server processes under Baton. */
    List<ProcessHandle> redis() {
        return process.toHandle().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("redis")).orElse(false))
                .toList();
    }

    /** SIGSTOP (pause) or SIGCONT (resume) to every process. */
    static void signal(List<ProcessHandle> processes, String signal) {
        for (ProcessHandle p : processes) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
                if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                    throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void stop() {
        List<ProcessHandle> children = process.toHandle().descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroy);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    /** A name no other test uses, so tests sharing one Baton never see each other's tasks. */
    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
