package dev.baton.store;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import redis.embedded.core.ExecutableProvider;

/**
 * A {@code redis-server} executable that was seen to run: the one on {@code PATH} when it answers
 * {@code --version}, else the binary shipped inside the embedded-redis jar (Redis 6.2, extracted to a
 * temporary directory once per JVM). Main code and test support both find Redis through here.
 */
public record RedisBinary(Path path, String version) {

    private static final Logger LOG = Logger.getLogger(RedisBinary.class);
    private static final String EXECUTABLE_NAME = "redis-server";
    private static final long VERSION_TIMEOUT_MILLIS = 5_000;

    /** The binary Baton uses: {@code PATH} first, else the embedded one. Resolved once per JVM. */
    public static RedisBinary locate() {
        return Located.BINARY;
    }

    /** The binary shipped by embedded-redis, whatever is on {@code PATH}. */
    public static RedisBinary embedded() {
        return Embedded.BINARY;
    }

    static Optional<RedisBinary> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, EXECUTABLE_NAME);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                Optional<RedisBinary> working = probe(candidate);
                if (working.isPresent()) {
                    return working;
                }
                LOG.warnf("Ignoring %s: it does not answer --version", candidate);
            }
        }
        return Optional.empty();
    }

    private static RedisBinary extractEmbedded() {
        try {
            Path extracted = ExecutableProvider.newJarResourceProvider().get().toPath();
            return probe(extracted).orElseThrow(() -> new IOException(
                    "the redis-server shipped by embedded-redis does not run on this machine: " + extracted));
        } catch (IOException e) {
            throw new UncheckedIOException("No usable redis-server: none on PATH and " + e.getMessage(), e);
        }
    }

    /** Runs {@code <candidate> --version}; present only when it exits 0 saying "Redis server". */
    static Optional<RedisBinary> probe(Path candidate) {
        try {
            Process process = new ProcessBuilder(candidate.toString(), "--version")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(VERSION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            if (process.exitValue() != 0 || !output.startsWith("Redis server")) {
                return Optional.empty();
            }
            return Optional.of(new RedisBinary(candidate, output));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return path + " (" + version + ")";
    }

    /** Lazy holders: the JVM initialises each at most once, on first use, thread-safely. */
    private static final class Embedded {
        static final RedisBinary BINARY = extractEmbedded();
    }

    private static final class Located {
        static final RedisBinary BINARY = onPath().orElseGet(RedisBinary::embedded);
    }
}
