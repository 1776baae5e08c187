package dev.baton.crash;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;

import dev.baton.store.RedisProcess;

/**
 * The packaged Baton ({@code target/quarkus-app/quarkus-run.jar}) as a real child process, for
 * crash tests and benchmarks: {@code java <jvm options> -D<properties> -jar quarkus-run.jar}.
 *
 * <p>Implementation note. The port is chosen once, so {@link #restart()} comes back where clients
 * already point. Every start appends to one log file under {@code target/crash-logs/}, headed by
 * its command line; a start that fails or exits early carries the end of that log. {@link #kill9()}
 * is {@link Process#destroyForcibly()}, which on Linux sends SIGKILL (checked: the exit status is
 * 128 + 9); {@link #stop()} is {@link Process#destroy()}, SIGTERM, which lets Quarkus shut down in
 * order (exit status 143, or 0). A Baton with an embedded Redis leaves that Redis running when it is
 * killed (the next start adopts it); {@link #close()} therefore also stops every descendant seen
 * while Baton ran. Not thread-safe for concurrent control calls; {@link #url()} may be read anywhere.
 */
public final class BatonApp implements AutoCloseable {

    /** The packaged jar: {@code -Dbaton.jar} (set by failsafe), else relative to the working directory. */
    public static final Path DEFAULT_JAR = Path.of(System.getProperty("baton.jar", "target/quarkus-app/quarkus-run.jar"));
    public static final Path DEFAULT_LOG_DIR = Path.of(System.getProperty("baton.crash.log-dir", "target/crash-logs"));
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    static final int EXIT_SIGKILL = 128 + 9;
    private static final String READY_PATH = "/q/health/ready";
    private static final String LIVE_PATH = "/q/health/live";
    private static final int LOG_TAIL_LINES = 60;

    private final String name;
    private final Path jar;
    private final List<String> jvmOptions;
    private final Map<String, String> properties;
    private final int port;
    private final Path log;
    private final HttpClient probe;
    private final Set<ProcessHandle> descendants = new LinkedHashSet<>();
    private Process process;
    private int starts;

    private BatonApp(Builder builder) {
        this.name = builder.name;
        this.jar = builder.jar.toAbsolutePath();
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.port = builder.port > 0 ? builder.port : RedisProcess.freePort();
        this.properties = new LinkedHashMap<>(builder.properties);
        this.properties.put("quarkus.http.port", Integer.toString(port));
        this.log = builder.logDir.toAbsolutePath().resolve(name + ".log");
        this.probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PROBE_TIMEOUT).build();
    }

    /** A Baton named {@code name} (its log file is {@code <log dir>/<name>.log}); not started yet. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Starts Baton and waits until {@code /q/health/ready} answers 200. */
    public synchronized BatonApp start() {
        return start(READY_PATH);
    }

    /**
     * Starts a Baton that is to stand by (another holds the writer lease, so it is not ready) and
     * waits until {@code /q/health/live} answers 200.
     */
    public synchronized BatonApp startStandby() {
        return start(LIVE_PATH);
    }

    private BatonApp start(String healthPath) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running, pid " + process.pid());
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: package Baton first (./mvnw package -DskipTests), "
                    + "or run this through failsafe (./mvnw verify)");
        }
        List<String> command = command();
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, String.format("%n===== %s start %d at %s: %s%n", name, starts + 1, Instant.now(),
                    String.join(" ", command)), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
        starts++;
        try {
            awaitHealth(healthPath);
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
        process.descendants().forEach(descendants::add);
        return this;
    }

    /** How a Baton that was expected to refuse to start ended: exit status, stdout, stderr. */
    public record Exit(int status, String stdout, String stderr) {
    }

    /**
     * Runs Baton expecting it to exit by itself (a refused start): waits up to {@link #READY_TIMEOUT}
     * and returns its status and output, stdout and stderr apart. One still running then is killed
     * and reported as an {@link IllegalStateException}.
     */
    public synchronized Exit runExpectingExit() {
        try {
            Files.createDirectories(log.getParent());
            Path out = Files.createTempFile(log.getParent(), name, ".out");
            Path err = Files.createTempFile(log.getParent(), name, ".err");
            Process running = new ProcessBuilder(command())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            starts++;
            if (!running.waitFor(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                running.descendants().forEach(ProcessHandle::destroyForcibly);
                running.destroyForcibly();
                running.waitFor();
                throw new IllegalStateException(name + " was still running after " + READY_TIMEOUT
                        + "; output in " + out + " and " + err);
            }
            return new Exit(running.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + name, e);
        }
    }

    /** Starts Baton again on the same port with the same options, after {@link #kill9()} or {@link #stop()}. */
    public BatonApp restart() {
        return start();
    }

    /** Waits (up to {@link #READY_TIMEOUT}) for readiness 200; fails at once, with the log, if Baton exits. */
    public void awaitReady() {
        awaitHealth(READY_PATH);
    }

    private void awaitHealth(String healthPath) {
        Process running = requireRunning();
        try {
            // The condition runs on Awaitility's thread: it must not take this object's monitor.
            await(healthPath + " of " + name).atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!running.isAlive()) {
                            throw new IllegalStateException(name + " exited with " + running.exitValue()
                                    + " before " + healthPath + " answered 200; log " + log + ":\n" + logTail());
                        }
                        return health(healthPath) == 200;
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(name + ": no 200 from " + healthPath + " within " + READY_TIMEOUT + "; log " + log
                    + ":\n" + logTail(), e);
        }
    }

    /** The status of {@code GET /q/health/ready}, or -1 when Baton does not answer. */
    public int readiness() {
        return health(READY_PATH);
    }

    private int health(String path) {
        try {
            HttpResponse<Void> response = probe.send(HttpRequest.newBuilder(url().resolve(path))
                    .timeout(PROBE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** kill -9: SIGKILL to the java process, no shutdown hooks; returns once it is gone. */
    public synchronized void kill9() {
        Process running = requireRunning();
        running.descendants().forEach(descendants::add);
        running.destroyForcibly();
        int exit = awaitExit(running);
        if (exit != EXIT_SIGKILL) {
            throw new IllegalStateException(name + " exited with " + exit + " instead of " + EXIT_SIGKILL
                    + " (SIGKILL); log " + log + ":\n" + logTail());
        }
    }

    /** SIGTERM and wait: Quarkus shuts down in order (an embedded Redis is stopped too). Returns the exit status. */
    public synchronized int stop() {
        Process running = requireRunning();
        running.descendants().forEach(descendants::add);
        running.destroy();
        return awaitExit(running);
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public synchronized long pid() {
        return requireRunning().pid();
    }

    /** How many times this Baton was started. */
    public synchronized int starts() {
        return starts;
    }

    public Path log() {
        return log;
    }

    /** The last lines of the log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops Baton if it runs, then whatever it left running (an embedded Redis after a kill -9). Idempotent. */
    @Override
    public synchronized void close() {
        if (isAlive()) {
            stop();
        }
        for (ProcessHandle left : descendants) {
            if (left.isAlive()) {
                left.destroy();
                try {
                    left.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    left.destroyForcibly();
                }
            }
        }
        descendants.clear();
    }

    @Override
    public String toString() {
        return name + " on " + url();
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    private Process requireRunning() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        return process;
    }

    private int awaitExit(Process running) {
        try {
            if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                running.destroyForcibly();
                running.waitFor();
                throw new IllegalStateException(name + " did not exit within " + STOP_TIMEOUT + "; killed. Log:\n" + logTail());
            }
            return running.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name + " to exit", e);
        }
    }

    /** Options of a {@link BatonApp}; JVM options go before {@code -jar}, properties become {@code -D}. */
    public static final class Builder {

        private final String name;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Path jar = DEFAULT_JAR;
        private Path logDir = DEFAULT_LOG_DIR;
        private int port;

        private Builder(String name) {
            this.name = name;
        }

        /** Use this Redis ({@code quarkus.redis.hosts}); without it Baton starts its embedded one. */
        public Builder redis(String uri) {
            return property("quarkus.redis.hosts", uri);
        }

        /** The embedded Redis' data directory ({@code baton.embedded-redis.data-dir}). */
        public Builder embeddedDataDir(Path dir) {
            return property("baton.embedded-redis.data-dir", dir.toAbsolutePath().toString());
        }

        /** {@code journal} or {@code checkpoint} ({@code baton.durability}). */
        public Builder durability(String mode) {
            return property("baton.durability", mode);
        }

        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** Options for the JVM, before {@code -jar}: {@code -Xmx512m}, {@code -XX:+UseSerialGC}, ... */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        public Builder jar(Path jar) {
            this.jar = jar;
            return this;
        }

        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        /** A fixed HTTP port; by default a free one, chosen once. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public BatonApp build() {
            return new BatonApp(this);
        }

        /** Builds and starts. */
        public BatonApp start() {
            return build().start();
        }
    }
}
