package dev.baton.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The Baton under test: one this benchmark starts from the packaged jar (on a free port, with
 * its embedded Redis under a work directory) and stops at the end, or one already running
 * that it only measures. The recovery benchmark starts several in turn on one work directory
 * ({@link #start(Path, List, Path)}), so the next one finds the data the last one left.
 */
final class BatonProcess implements AutoCloseable {

    /** The body limit the benchmarks start Baton with: their batches are megabytes (the default is 1 MiB). */
    static final String BENCH_MAX_BODY = "256M";
    private static final long READY_TIMEOUT_MILLIS = 300_000;

    final URI url;
    final long batonPid;
    final long redisPid;
    /** Milliseconds from the process start until {@code /q/health/ready} answered UP; -1 when attached. */
    final long readyMillis;
    final Path log;
    private final Process process;
    /** The work directory, deleted on close when this process made it; null when attached or kept. */
    private final Path ownedWorkDir;
    private volatile boolean killed;

    private BatonProcess(URI url, long batonPid, long redisPid, long readyMillis, Path log, Process process,
                         Path ownedWorkDir) {
        this.url = url;
        this.batonPid = batonPid;
        this.redisPid = redisPid;
        this.readyMillis = readyMillis;
        this.log = log;
        this.process = process;
        this.ownedWorkDir = ownedWorkDir;
    }

    /** A running Baton; pids not given are looked for (what listens on its port, its redis-server child). */
    static BatonProcess attach(URI url, long batonPid, long redisPid) {
        long baton = batonPid > 0 ? batonPid : findListener(url).orElse(-1L);
        long redis = redisPid > 0 ? redisPid : baton > 0 ? findRedisChild(baton).orElse(-1L) : -1;
        return new BatonProcess(url, baton, redis, -1, null, null, null);
    }

    /**
     * Starts {@code java [jvmOptions] -Dquarkus.http.port=<free> ... -jar jar} in a new temporary
     * directory, deleted on close, and waits until it is ready.
     */
    static BatonProcess start(Path jar, List<String> jvmOptions) throws IOException, InterruptedException {
        Path workDir = Files.createTempDirectory("baton-bench-");
        BatonProcess baton;
        try {
            baton = start(jar, jvmOptions, workDir);
        } catch (IOException | RuntimeException | InterruptedException e) {
            deleteTree(workDir);
            throw e;
        }
        return new BatonProcess(baton.url, baton.batonPid, baton.redisPid, baton.readyMillis, baton.log,
                baton.process, workDir);
    }

    /**
     * Starts Baton in {@code workDir} (its embedded Redis keeps its data in {@code workDir/redis},
     * its log goes to a new {@code baton-<n>.log}) and waits until it is ready. The directory is
     * left in place on close.
     */
    static BatonProcess start(Path jar, List<String> jvmOptions, Path workDir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: package Baton first (./mvnw package -DskipTests)");
        }
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dbaton.embedded-redis.data-dir=" + workDir.resolve("redis"));
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Path log = newLog(workDir);
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        URI url = URI.create("http://127.0.0.1:" + port);
        try {
            awaitReady(url, process, log);
        } catch (IOException | RuntimeException | InterruptedException e) {
            stop(process);
            throw e;
        }
        long readyMillis = (System.nanoTime() - started) / 1_000_000;
        boolean ownRedis = jvmOptions.stream().noneMatch(option -> option.startsWith("-Dquarkus.redis.hosts="));
        long redis = ownRedis ? findRedisChild(process.pid()).or(() -> redisPidFile(workDir)).orElse(-1L) : -1;
        System.out.printf("started Baton pid %d on %s (redis-server %s, log %s)%n", process.pid(), url,
                !ownRedis ? "given by quarkus.redis.hosts" : redis > 0 ? "pid " + redis : "pid not found", log);
        return new BatonProcess(url, process.pid(), redis, readyMillis, log, process, null);
    }

    private static Path newLog(Path workDir) {
        for (int n = 1; ; n++) {
            Path log = workDir.resolve(n == 1 ? "baton.log" : "baton-" + n + ".log");
            if (!Files.exists(log)) {
                return log;
            }
        }
    }

    /**
     * The pid the embedded Redis wrote into its data directory: after a kill -9 the next Baton
     * reuses the Redis the last one left running, which is then no child of it.
     */
    private static Optional<Long> redisPidFile(Path workDir) {
        try {
            return Optional.of(Long.parseLong(Files.readString(workDir.resolve("redis").resolve("redis.pid")).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The first line of this Baton's log containing {@code text}, if any. */
    Optional<String> logLine(String text) throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> line.contains(text)).findFirst();
        }
    }

    /** SIGTERM, and waits for the exit (a clean shutdown writes a final checkpoint); returns how long it took in ms. */
    long terminate(long timeoutMillis) throws InterruptedException {
        long t0 = System.nanoTime();
        process.destroy();
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Baton pid " + batonPid + " still running " + timeoutMillis + " ms after SIGTERM");
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** SIGKILL: no shutdown hook, no final checkpoint; its embedded Redis stays up, as after a crash. */
    void kill() throws InterruptedException {
        killed = true; // the next Baton on this directory reuses the Redis; close() leaves it alone
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private static void awaitReady(URI url, Process process, Path log) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        try (HttpConnection http = new HttpConnection(url, 5_000)) {
            while (System.currentTimeMillis() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Baton exited with " + process.exitValue() + "; log:\n" + tail(log));
                }
                try {
                    HttpConnection.Response ready = http.get("/q/health/ready");
                    if (ready.status() == 200 && ready.body().contains("UP")) {
                        return;
                    }
                } catch (IOException notYet) {
                    http.close();
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("Baton not ready within " + READY_TIMEOUT_MILLIS + " ms; log:\n" + tail(log));
    }

    /**
     * The local process listening on {@code url}'s port: the socket's inode from
     * {@code /proc/net/tcp[6]}, then the process holding a descriptor on it. Empty when the
     * host is remote or the process is not visible.
     */
    static Optional<Long> findListener(URI url) {
        int port = url.getPort() > 0 ? url.getPort() : 80;
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is field 9
                    if (f.length > 9 && f[3].equals("0A") && f[1].endsWith(String.format(":%04X", port))) {
                        inodes.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no such table here
            }
        }
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.allProcesses().map(ProcessHandle::pid)
                .filter(pid -> holdsAny(pid, inodes)).findFirst();
    }

    private static boolean holdsAny(long pid, Set<String> inodes) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return inodes.contains(Files.readSymbolicLink(fd).toString());
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            });
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The Redis under Baton {@code pid}. Matched loosely: Debian's redis-server is a link to
     * redis-check-rdb (what {@code /proc/<pid>/exe} names), the embedded-redis library ships
     * versioned binary names, and Redis rewrites its own command line.
     */
    private static Optional<Long> findRedisChild(long pid) {
        return ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
                .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().startsWith("redis")).orElse(false)
                        || p.info().commandLine().map(c -> c.contains("redis-server")).orElse(false))
                .map(ProcessHandle::pid).findFirst();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Stops a Baton this benchmark started (gracefully, then by force) and its Redis, and deletes
     * its work directory if it made it.
     */
    @Override
    public void close() throws InterruptedException, IOException {
        if (process == null) {
            return;
        }
        Optional<ProcessHandle> redis = redisPid > 0 && !killed ? ProcessHandle.of(redisPid) : Optional.empty();
        if (process.isAlive()) {
            stop(process);
        }
        redis.ifPresent(BatonProcess::stopLeftover); // a Baton killed by force leaves its Redis behind
        if (ownedWorkDir != null) {
            deleteTree(ownedWorkDir);
        }
    }

    /** Stops the embedded Redis a killed Baton left serving {@code workDir}, if any. */
    static void stopLeftoverRedis(Path workDir) {
        redisPidFile(workDir).flatMap(ProcessHandle::of).ifPresent(BatonProcess::stopLeftover);
    }

    private static void stopLeftover(ProcessHandle redis) {
        if (!redis.isAlive()) {
            return;
        }
        redis.destroy();
        try {
            redis.onExit().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            redis.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            redis.destroyForcibly();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
