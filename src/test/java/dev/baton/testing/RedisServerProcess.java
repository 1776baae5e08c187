package dev.baton.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import dev.baton.store.RedisBinary;
import dev.baton.store.RedisProcess;

/**
 * A throwaway redis-server for tests: loopback, a free port, its files in a temporary directory.
 * {@link #stop()} and {@link #start()} take it down and bring it back on the same port with its
 * data (append-only file), so tests can watch Baton lose and regain Redis. Never port 6379.
 */
public final class RedisServerProcess implements AutoCloseable {

    private final Path dir;
    private final int port;
    private RedisProcess process;

    private RedisServerProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts a fresh server on a free port. */
    public static RedisServerProcess startNew() {
        try {
            RedisServerProcess redis = new RedisServerProcess(Files.createTempDirectory("baton-redis-"),
                    RedisProcess.freePort());
            redis.start();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server again on its port; no-op while it runs. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            process = RedisProcess.launch(RedisBinary.locate(), port, dir, dir.resolve("redis.log"), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shuts the server down (data kept); no-op when stopped. */
    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    public int port() {
        return port;
    }

    /** The pid of the running server, for tests that signal it ({@code kill -STOP}, {@code kill -CONT}). */
    public synchronized long pid() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        return process.pid();
    }

    /**
     * Deletes the stopped server's files (append-only files, log), so that the next {@link #start()}
     * brings it back empty on the same port: Redis restarted without persistence, or flushed.
     */
    public synchronized void deleteData() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("stop redis-server on port " + port + " before deleting its data");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).filter(file -> !file.equals(dir)).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory of its files (the append-only files are in {@code appendonlydir} under it). */
    public Path dataDir() {
        return dir;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server and deletes its files. */
    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
