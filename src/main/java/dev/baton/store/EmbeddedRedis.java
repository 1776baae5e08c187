package dev.baton.store;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

import org.jboss.logging.Logger;

/**
 * Baton's private Redis: a redis-server child process with its files in one data directory.
 *
 * <p>Implementation note. A running Baton owns its data directory: it holds the operating-system
 * lock on {@value DataDirLock#FILE} (with its pid and host written in it) from start to
 * {@link #close()}, and a second Baton on the same directory is refused with
 * {@link DataDirInUseException} before it looks at anything else. The directory also holds, besides
 * Redis' own append-only files, {@value #STATE_FILE} (port and pid of the Redis serving it),
 * {@value #PORT_FILE} (the port chosen at the first start, reused at every later one),
 * {@value #PID_FILE} (written by Redis) and {@value #LOG_FILE}. When Baton dies without closing
 * (kill -9, crash), the child lives on and the lock goes with Baton; the next start, holding the
 * lock and so knowing that Baton is gone, reads the state file and
 * <ul>
 *   <li>reuses that Redis if it answers on the recorded port, serves this very directory, and the
 *       port is the configured one (when one is configured);</li>
 *   <li>otherwise stops the recorded process if it is still a redis-server and the pid file names
 *       it (hung, or not answering), so that two servers never write the same append-only file;</li>
 *   <li>then starts a fresh child on the configured port, else on the kept one, else (first start,
 *       or the kept port taken by something else) on a free port that is kept from then on.</li>
 * </ul>
 * The state file is written (atomically) only once Redis answers, and removed after it stopped.
 * {@link #close()} is idempotent.
 */
public final class EmbeddedRedis implements AutoCloseable {

    static final String STATE_FILE = "baton-redis.state";
    static final String PID_FILE = "redis.pid";
    static final String LOG_FILE = "redis.log";
    static final String PORT_FILE = "redis.port";
    private static final int START_ATTEMPTS = 3;
    private static final Logger LOG = Logger.getLogger(EmbeddedRedis.class);

    private final Path dataDir;
    private final RedisProcess process;
    private final DataDirLock lock;
    private boolean closed;

    private EmbeddedRedis(Path dataDir, RedisProcess process, DataDirLock lock) {
        this.dataDir = dataDir;
        this.process = process;
        this.lock = lock;
    }

    /** {@link #start(Path, OptionalInt)} on the port kept in {@code dataDir}. */
    public static EmbeddedRedis start(Path dataDir) throws IOException {
        return start(dataDir, OptionalInt.empty());
    }

    /**
     * Takes ownership of {@code dataDir}, then reuses the Redis a dead Baton left serving it, or
     * starts one: on {@code port} when given, else on the port kept in the directory.
     *
     * @throws DataDirInUseException when a live Baton owns {@code dataDir}; nothing was touched
     * @throws RefusedStartException when the configured port is taken
     */
    public static EmbeddedRedis start(Path dataDir, OptionalInt port) throws IOException {
        Files.createDirectories(dataDir);
        Path dir = dataDir.toRealPath();
        DataDirLock lock = DataDirLock.acquire(dir);
        try {
            RedisProcess process = takeOverLeftover(dir, port).orElse(null);
            if (process == null) {
                process = port.isPresent() ? launchOnConfiguredPort(dir, port.getAsInt()) : launchOnKeptPort(dir);
                writeState(dir, process.port(), process.pid());
            } else {
                LOG.infof("Reusing the embedded Redis (pid %d) that a Baton no longer running left serving %s",
                        process.pid(), dir);
            }
            LOG.infof("embedded Redis on %s:%d (data %s) — redis-cli -p %d SUBSCRIBE task_notifications",
                    Resp.LOOPBACK, process.port(), dataDir, process.port());
            return new EmbeddedRedis(dir, process, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
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
        try {
            process.stop();
            try {
                Files.deleteIfExists(dataDir.resolve(STATE_FILE));
            } catch (IOException e) {
                LOG.warnf("Could not remove %s: %s", dataDir.resolve(STATE_FILE), e.getMessage());
            }
            LOG.infof("Stopped embedded Redis on %s", process.uri());
        } finally {
            lock.close();
        }
    }

    /**
     * What a kill -9 of its Baton leaves behind, for tests in one JVM: the directory's lock released
     * (the operating system does that for a dead process), Redis still running, the state file kept.
     */
    synchronized void abandon() {
        closed = true;
        lock.close();
    }

    private static RedisProcess launchOnConfiguredPort(Path dir, int port) throws IOException {
        if (!RedisProcess.isFree(port)) {
            throw new RefusedStartException("baton.embedded-redis.port=" + port + " is taken by another process "
                    + "on " + Resp.LOOPBACK + ": free it, choose another port, or leave the setting unset");
        }
        return launch(dir, port);
    }

    /**
     * On the port kept in the directory, else a free one that is kept from now on. A kept port that
     * something else took meanwhile is given up, and the log says so.
     */
    private static RedisProcess launchOnKeptPort(Path dir) throws IOException {
        OptionalInt kept = keptPort(dir);
        int port = kept.isPresent() && RedisProcess.isFree(kept.getAsInt()) ? kept.getAsInt() : RedisProcess.freePort();
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                RedisProcess process = launch(dir, port);
                if (kept.isPresent() && kept.getAsInt() != port) {
                    LOG.warnf("Port %d, where the embedded Redis of %s ran before, is taken by another process; "
                            + "it runs on port %d from now on", kept.getAsInt(), dir, port);
                }
                keepPort(dir, port);
                return process;
            } catch (IOException e) {
                last = e;
                LOG.debugf("Embedded Redis start attempt %d on port %d failed: %s", attempt, port, e.getMessage());
                port = RedisProcess.freePort();
            }
        }
        throw last;
    }

    private static RedisProcess launch(Path dir, int port) throws IOException {
        RedisBinary binary = RedisBinary.locate();
        // not waiting for Redis to load its files: the application starts meanwhile, the store waits for them
        RedisProcess process = RedisProcess.launch(binary, port, dir, dir.resolve(LOG_FILE),
                List.of("--pidfile", dir.resolve(PID_FILE).toString()), false);
        LOG.debugf("Started redis-server %s from %s, pid %d", binary.version(), binary.path(), process.pid());
        return process;
    }

    private static OptionalInt keptPort(Path dir) {
        Path file = dir.resolve(PORT_FILE);
        if (!Files.isRegularFile(file)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(file, StandardCharsets.UTF_8).trim()));
        } catch (IOException | NumberFormatException e) {
            LOG.warnf("Ignoring unreadable %s: %s", file, e.getMessage());
            return OptionalInt.empty();
        }
    }

    private static void keepPort(Path dir, int port) throws IOException {
        writeAtomically(dir.resolve(PORT_FILE), port + "\n");
    }

    /**
     * The Redis a dead Baton left serving {@code dir}, when it runs on {@code wanted} (or no port is
     * configured); a leftover on another port, or one that does not answer, is stopped.
     */
    private static Optional<RedisProcess> takeOverLeftover(Path dir, OptionalInt wanted) throws IOException {
        Path stateFile = dir.resolve(STATE_FILE);
        Optional<State> state = readState(stateFile);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        int port = state.get().port();
        Optional<ProcessHandle> servingUs = pidServing(dir, port).flatMap(ProcessHandle::of);
        if (servingUs.isPresent()) {
            if (wanted.isEmpty() || wanted.getAsInt() == port) {
                return Optional.of(RedisProcess.adopt(servingUs.get(), port));
            }
            LOG.infof("Stopping the embedded Redis left by a previous run on port %d: baton.embedded-redis.port is %d",
                    port, wanted.getAsInt());
            RedisProcess.adopt(servingUs.get(), port).stop();
            Files.deleteIfExists(stateFile);
            return Optional.empty();
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
        StringWriter text = new StringWriter();
        properties.store(text, "Embedded Redis serving this directory (written by Baton)");
        writeAtomically(dir.resolve(STATE_FILE), text.toString());
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
