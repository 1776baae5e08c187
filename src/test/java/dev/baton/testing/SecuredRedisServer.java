package dev.baton.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.baton.store.RedisBinary;
import dev.baton.store.RedisProcess;

/**
 * A throwaway redis-server that wants credentials or TLS, which {@link RedisServerProcess} (whose
 * readiness is an unauthenticated PING on a plain port) cannot wait for: {@code requirepass}, an ACL
 * file, {@code --tls-port} with the plain port off. Loopback, a free port, files under
 * {@code target/}; ready once its log says it accepts connections. {@link #cli} runs {@code redis-cli}
 * against it as any user, to look at what Baton did (e.g. {@code ACL LOG}).
 */
public final class SecuredRedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final long STOP_TIMEOUT_SECONDS = 20;
    private static final long CLI_TIMEOUT_SECONDS = 20;

    private final Path dir;
    private final int port;
    private final boolean tls;
    private final Process process;

    private SecuredRedisServer(Path dir, int port, boolean tls, Process process) {
        this.dir = dir;
        this.port = port;
        this.tls = tls;
        this.process = process;
    }

    /** Starts redis-server on a free loopback port with {@code args} added; {@code tls}: that port speaks TLS only. */
    public static SecuredRedisServer start(Path dir, boolean tls, List<String> args) {
        int port = RedisProcess.freePort();
        List<String> command = new ArrayList<>(List.of(RedisBinary.locate().path().toString(),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                "--maxmemory-policy", "noeviction"));
        command.addAll(tls ? List.of("--port", "0", "--tls-port", Integer.toString(port)) : List.of("--port", Integer.toString(port)));
        command.addAll(args);
        Path log = dir.resolve("redis.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            SecuredRedisServer server = new SecuredRedisServer(dir, port, tls, process);
            await("redis-server on port " + port).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited: " + Files.readString(log));
                }
                return Files.readString(log).contains("Ready to accept connections");
            });
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the redis-server found is built with TLS (Debian's links libssl); null when it is, else why not. */
    public static String whyNoTls() {
        Path binary = RedisBinary.locate().path();
        try {
            Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
            String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ldd.waitFor(CLI_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return out.contains("libssl") ? null : binary + " is not built with TLS (it does not link libssl)";
        } catch (IOException e) {
            return "cannot tell whether " + binary + " has TLS: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}, or {@code rediss://} for TLS. */
    public String uri() {
        return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Runs {@code redis-cli} (next to redis-server, else on the PATH) as {@code user} (null: the
     * default user) with {@code password}; with TLS it trusts {@code caCert}. Returns its output.
     */
    public String cli(String user, String password, Path caCert, String... command) {
        List<String> line = new ArrayList<>();
        Path besideServer = RedisBinary.locate().path().resolveSibling("redis-cli");
        line.add(Files.isExecutable(besideServer) ? besideServer.toString() : "redis-cli");
        line.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(port), "--no-auth-warning"));
        if (user != null) {
            line.addAll(List.of("--user", user));
        }
        if (password != null) {
            line.addAll(List.of("--pass", password));
        }
        if (tls) {
            line.addAll(List.of("--tls", "--cacert", caCert.toString()));
        }
        line.addAll(List.of(command));
        try {
            Process cli = new ProcessBuilder(line).redirectErrorStream(true).start();
            String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!cli.waitFor(CLI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                cli.destroyForcibly();
                throw new IllegalStateException("redis-cli did not finish: " + String.join(" ", command));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The server's log so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, then SIGKILL if it does not exit in time. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
