package dev.baton.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * One local redis-server process on 127.0.0.1: launched by us or adopted from a previous run.
 *
 * <p>Launch starts the child with Baton's persistence settings (append-only file, fsync every
 * second, no RDB snapshots, {@code noeviction}), its output appended to a log file, and returns
 * only once it answers PING (with PONG, or, when asked not to wait for its files, with LOADING too);
 * if it exits first (say, the port was taken meanwhile) the error
 * carries the end of its log. {@link #stop()} asks for SHUTDOWN (which fsyncs the append-only file),
 * then escalates to SIGTERM and SIGKILL if the process does not exit in time. Stop is idempotent.
 * The process is tracked by {@link ProcessHandle}, so an adopted process stops the same way.
 */
public final class RedisProcess {

    static final int PING_TIMEOUT_MILLIS = 1_000;
    static final long START_TIMEOUT_MILLIS = 60_000;
    static final long STOP_TIMEOUT_MILLIS = 10_000;
    private static final long START_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int LOG_TAIL_CHARS = 2_000;

    private final ProcessHandle handle;
    private final int port;

    private RedisProcess(ProcessHandle handle, int port) {
        this.handle = handle;
        this.port = port;
    }

    /**
     * Starts {@code binary} on 127.0.0.1:{@code port} with its files in {@code dir} and waits until it
     * answers PING with PONG (its files loaded). {@code extraArgs} are appended to the standard
     * arguments (later ones win).
     */
    public static RedisProcess launch(RedisBinary binary, int port, Path dir, Path logFile, List<String> extraArgs)
            throws IOException {
        return launch(binary, port, dir, logFile, extraArgs, true);
    }

    /**
     * {@link #launch(RedisBinary, int, Path, Path, List)}, returning as soon as Redis answers PING
     * at all when {@code loaded} is false: a Redis still reading its append-only file answers
     * LOADING, and whoever uses it waits for that instead (Baton's store, while the rest of the
     * application starts).
     */
    static RedisProcess launch(RedisBinary binary, int port, Path dir, Path logFile, List<String> extraArgs,
            boolean loaded) throws IOException {
        List<String> command = new ArrayList<>(List.of(binary.path().toString(),
                "--port", Integer.toString(port),
                "--bind", Resp.LOOPBACK,
                "--dir", dir.toAbsolutePath().toString(),
                "--daemonize", "no",
                "--appendonly", "yes",
                "--appendfsync", "everysec",
                "--save", "",
                "--maxmemory-policy", "noeviction"));
        command.addAll(extraArgs);
        Files.createDirectories(dir);
        Process process = new ProcessBuilder(inOwnSession(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        RedisProcess redis = new RedisProcess(process.toHandle(), port);
        redis.awaitReady(logFile, loaded);
        return redis;
    }

    /**
     * The command run through {@code setsid} where there is one: Ctrl-C in a terminal signals the
     * whole foreground process group, and a Redis in Baton's group would stop at the same moment as
     * Baton, before Baton's shutdown has written its final checkpoint. In a session of its own it
     * hears only Baton, which stops it last. {@code setsid} execs the command in place (a child of
     * the JVM leads no group), so the pid stays Redis's own.
     */
    static List<String> inOwnSession(List<String> command) {
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                List<String> wrapped = new ArrayList<>(command.size() + 1);
                wrapped.add(setsid);
                wrapped.addAll(command);
                return wrapped;
            }
        }
        return command;
    }

    /** Takes charge of a redis-server started elsewhere (by a previous Baton run). */
    static RedisProcess adopt(ProcessHandle handle, int port) {
        return new RedisProcess(handle, port);
    }

    /** A port on the loopback interface that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(Resp.LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Whether {@code port} on the loopback interface can be bound right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(Resp.LOOPBACK), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return handle.pid();
    }

    public URI uri() {
        return URI.create("redis://" + Resp.LOOPBACK + ":" + port);
    }

    public boolean isAlive() {
        return handle.isAlive();
    }

    public boolean answersPing() {
        return Resp.ping(port, PING_TIMEOUT_MILLIS);
    }

    /**
     * Shuts Redis down and waits for the process to exit: SHUTDOWN when it listens, else SIGTERM
     * (which Redis also treats as a clean shutdown), SIGKILL as the last resort. Safe to call twice.
     */
    public void stop() {
        if (!handle.isAlive()) {
            return;
        }
        if (!shutdownAccepted()) {
            handle.destroy();
        }
        if (!awaitExit()) {
            handle.destroyForcibly();
            awaitExit();
        }
    }

    /** True when Redis took SHUTDOWN: it closes the connection without a reply. */
    private boolean shutdownAccepted() {
        try {
            Resp.call(port, PING_TIMEOUT_MILLIS, "SHUTDOWN");
            return false;
        } catch (EOFException closedByServer) {
            return true;
        } catch (IOException refusedOrUnanswered) {
            return false;
        }
    }

    private boolean awaitExit() {
        try {
            handle.onExit().get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }

    /**
     * Polls PING until it answers; a Redis still loading its data answers LOADING, which is waited
     * for when {@code loaded}.
     */
    private void awaitReady(Path logFile, boolean loaded) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            if (!handle.isAlive()) {
                throw new IOException("redis-server exited during start-up on port " + port + ":\n" + tail(logFile));
            }
            if (loaded ? answersPing() : Resp.listening(port, PING_TIMEOUT_MILLIS)) {
                return;
            }
            LockSupport.parkNanos(START_POLL_NANOS);
        }
        stop();
        throw new IOException("redis-server did not answer PING on port " + port + " within "
                + START_TIMEOUT_MILLIS + " ms:\n" + tail(logFile));
    }

    private static String tail(Path logFile) {
        try {
            String log = Files.readString(logFile, StandardCharsets.UTF_8);
            return log.substring(Math.max(0, log.length() - LOG_TAIL_CHARS));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
