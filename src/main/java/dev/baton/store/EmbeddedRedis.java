package dev.baton.store;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.jboss.logging.Logger;

/**
 * Baton's private Redis: a redis-server child process with its files in one data directory.
 *
 * <p>Implementation note. The data directory holds, besides Redis' own append-only files,
 * {@value #STATE_FILE} (port and pid of the Redis serving it), {@value #PID_FILE} (written by Redis)
 * and {@value #LOG_FILE}. When Baton dies without closing (kill -9, crash), the child lives on; the
 * next start reads the state file and
 * <ul>
 *   <li>reuses that Redis if it answers on the recorded port and serves this very directory;</li>
 *   <li>otherwise stops the recorded process if it is still a redis-server and the pid file names
 *       it (hung, or not answering), so that two servers never write the same append-only file;</li>
 *   <li>then starts a fresh child on a free port, retrying with another port if one is taken
 *       between choosing and binding it.</li>
 * </ul>
 * The state file is written (atomically) only once Redis answers, and removed after it stopped.
 * Two Batons starting on one directory at the same instant are not guarded against here; the
 * leader lease in the store fences their writes. {@link #close()} is idempotent.
 */
public final class EmbeddedRedis implements AutoCloseable {

    static final String STATE_FILE = "baton-redis.state";
    static final String PID_FILE = "redis.pid";
    static final String LOG_FILE = "redis.log";
    private static final int START_ATTEMPTS = 3;
    private static final Logger LOG = Logger.getLogger(EmbeddedRedis.class);

    private final Path dataDir;
    private final RedisProcess process;
    private boolean closed;

    private EmbeddedRedis(Path dataDir, RedisProcess process) {
        this.dataDir = dataDir;
        this.process = process;
    }

    /** Reuses the Redis a previous run left serving {@code dataDir}, or starts one. */
    public static EmbeddedRedis start(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path dir = dataDir.toRealPath();
        Optional<RedisProcess> leftover = takeOverLeftover(dir);
        if (leftover.isPresent()) {
            LOG.infof("Reusing the embedded Redis left running by a previous run: %s, pid %d, data in %s",
                    leftover.get().uri(), leftover.get().pid(), dir);
            return new EmbeddedRedis(dir, leftover.get());
        }
        RedisBinary binary = RedisBinary.locate();
        RedisProcess process = launch(binary, dir);
        writeState(dir, process.port(), process.pid());
        LOG.infof("Started embedded Redis %s from %s on %s, pid %d, data in %s",
                binary.version(), binary.path(), process.uri(), process.pid(), dir);
        return new EmbeddedRedis(dir, process);
    }

    public URI uri() {
        return process.uri();
    }

    public int port() {
        return process.port();
    }

    public long pid() {
        return process.pid();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops Redis (its append-only file is fsynced on the way) and forgets it. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.stop();
        try {
            Files.deleteIfExists(dataDir.resolve(STATE_FILE));
        } catch (IOException e) {
            LOG.warnf("Could not remove %s: %s", dataDir.resolve(STATE_FILE), e.getMessage());
        }
        LOG.infof("Stopped embedded Redis on %s", process.uri());
    }

    private static RedisProcess launch(RedisBinary binary, Path dir) throws IOException {
        List<String> extraArgs = List.of("--pidfile", dir.resolve(PID_FILE).toString());
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                return RedisProcess.launch(binary, RedisProcess.freePort(), dir, dir.resolve(LOG_FILE), extraArgs);
            } catch (IOException e) {
                last = e;
                LOG.debugf("Embedded Redis start attempt %d failed: %s", attempt, e.getMessage());
            }
        }
        throw last;
    }

    private static Optional<RedisProcess> takeOverLeftover(Path dir) throws IOException {
        Path stateFile = dir.resolve(STATE_FILE);
        Optional<State> state = readState(stateFile);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        int port = state.get().port();
        Optional<ProcessHandle> servingUs = pidServing(dir, port).flatMap(ProcessHandle::of);
        if (servingUs.isPresent()) {
            return Optional.of(RedisProcess.adopt(servingUs.get(), port));
        }
        ProcessHandle.of(state.get().pid())
                .filter(process -> isRedisServer(process) && pidFileNames(dir, process.pid()))
                .ifPresent(stale -> {
                    LOG.warnf("Stopping the embedded Redis left by a previous run (pid %d): it does not serve %s on port %d",
                            stale.pid(), dir, port);
                    RedisProcess.adopt(stale, port).stop();
                });
        Files.deleteIfExists(stateFile);
        return Optional.empty();
    }

    /** The pid of the Redis on {@code port}, if one answers there and its directory is {@code dir}. */
    private static Optional<Long> pidServing(Path dir, int port) {
        try {
            Object config = Resp.call(port, RedisProcess.PING_TIMEOUT_MILLIS, "CONFIG", "GET", "dir");
            if (!(config instanceof List<?> pair) || pair.size() != 2 || !dir.toString().equals(pair.get(1))) {
                return Optional.empty();
            }
            String info = (String) Resp.call(port, RedisProcess.PING_TIMEOUT_MILLIS, "INFO", "server");
            return info.lines()
                    .filter(line -> line.startsWith("process_id:"))
                    .map(line -> Long.parseLong(line.substring("process_id:".length()).trim()))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The executable's real name starts with "redis-": Debian links redis-server to redis-check-rdb,
     * and embedded-redis names its binary redis-server-&lt;version&gt;-&lt;platform&gt;.
     */
    private static boolean isRedisServer(ProcessHandle handle) {
        return handle.isAlive() && handle.info().command()
                .map(command -> Path.of(command).getFileName().toString().startsWith("redis-"))
                .orElse(false);
    }

    /** Redis writes its pid file at start and removes it at a clean exit. */
    private static boolean pidFileNames(Path dir, long pid) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(PID_FILE), StandardCharsets.UTF_8).trim()) == pid;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private record State(int port, long pid) {
    }

    private static Optional<State> readState(Path stateFile) {
        if (!Files.isRegularFile(stateFile)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(stateFile, StandardCharsets.UTF_8)) {
            properties.load(reader);
            return Optional.of(new State(Integer.parseInt(properties.getProperty("port")),
                    Long.parseLong(properties.getProperty("pid"))));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Ignoring unreadable %s: %s", stateFile, e.getMessage());
            return Optional.empty();
        }
    }

    static void writeState(Path dir, int port, long pid) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("pid", Long.toString(pid));
        Path temporary = dir.resolve(STATE_FILE + ".tmp");
        try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            properties.store(writer, "Embedded Redis serving this directory (written by Baton)");
        }
        Files.move(temporary, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
