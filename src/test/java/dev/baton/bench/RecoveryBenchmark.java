package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.baton.bench.LoadBenchmark.goal;

/**
 * Recovery time of a Baton holding N queued tasks (default 100,000 and 1,000,000), on its
 * embedded Redis in a work directory kept across restarts:
 * <ol>
 *   <li>start Baton with checkpoints far apart ({@code 1h}), so that what it is given stays in
 *   the journal; fill it with batches of {@code recovery-batch} tasks over
 *   {@code POST /v1/tasks/batch} (4 levels × 20 types, {@code payload-bytes} each);</li>
 *   <li>kill -9 it and start it again: recovery replays the journal (the embedded Redis survives
 *   the kill and is reused, as after a crash of Baton alone);</li>
 *   <li>SIGTERM that one (with 100,000 live tasks or more it writes its whole state, the live tasks
 *   as the tasks hash's image, instead of a last checkpoint; then it stops its Redis) and start it
 *   again: recovery reads the image, Redis reloads its append-only file first.</li>
 * </ol>
 * Each restart prints the time from process start until {@code /q/health/ready} answers UP, and
 * the figures of Baton's own "recovered N tasks ... in X ms" log line; then checks that
 * {@code GET /v1/stats} counts N pending. Goal: 1,000,000 tasks back in under 10 s.
 */
public final class RecoveryBenchmark {

    static final long GOAL_MILLIS = 10_000;
    static final long SHUTDOWN_TIMEOUT_MILLIS = 300_000;
    static final Pattern RECOVERED = Pattern.compile("recovered (\\d+) tasks .*\\((\\d+) tasks from the checkpoint, "
            + "(\\d+) journal events replayed\\) in (\\d+) ms");
    static final Pattern BREAKDOWN = Pattern.compile("\\(reading and decoding (\\d+) ms, rebuilding the engine (\\d+) ms\\)");
    /** Redis' own figure, in its log, for loading its files at start. */
    static final Pattern REDIS_LOADED = Pattern.compile("DB loaded from append only file: ([0-9.]+) seconds");

    private final Path jar;
    private final List<String> jvm;
    private final int batch;
    private final String pad;
    private final boolean keep;

    private RecoveryBenchmark(Path jar, List<String> jvm, int batch, int payloadBytes, boolean keep) {
        this.jar = jar;
        this.keep = keep;
        this.jvm = jvm;
        this.batch = batch;
        this.pad = "x".repeat(Math.max(0, payloadBytes - "{\"n\":1234567,\"pad\":\"\"}".length()));
    }

    public static void main(String[] args) throws Exception {
        LoadOptions.Lookup o = LoadOptions.lookup(args);
        List<Integer> sizes = Arrays.stream(o.or("recovery-sizes", "100000,1000000").split("\\s*,\\s*"))
                .map(n -> Integer.parseInt(n.replace("_", ""))).toList();
        int batch = o.integer("recovery-batch", 10_000);
        int largest = sizes.stream().max(Integer::compare).orElse(0);
        List<String> jvm = new ArrayList<>(List.of("-Xmx2g"));
        jvm.addAll(LoadOptions.jvmOptions(o.get("baton-jvm-options")));
        jvm.add("-Dbaton.max-batch=" + batch);
        jvm.add("-Dquarkus.http.limits.max-body-size=" + BatonProcess.BENCH_MAX_BODY); // batches of megabytes
        jvm.add("-Dbaton.writer-lease-ttl=" + o.or("writer-lease-ttl", "2s"));
        jvm.add("-Dbaton.max-queued=" + Math.max(1_000_000, 2 * largest));
        RecoveryBenchmark bench = new RecoveryBenchmark(Path.of(o.or("jar", "target/quarkus-app/quarkus-run.jar")),
                jvm, batch, o.integer("payload-bytes", 200), Boolean.parseBoolean(o.or("recovery-keep", "false")));
        System.out.printf("Baton recovery benchmark: %s tasks, batches of %,d, Baton %s, %d cores%n", sizes, batch,
                String.join(" ", jvm), Runtime.getRuntime().availableProcessors());
        for (int size : sizes) {
            bench.run(size);
        }
    }

    private void run(int size) throws Exception {
        Path workDir = Files.createTempDirectory("baton-recovery-");
        try {
            System.out.printf("%n%,d tasks%n", size);
            try (BatonProcess filled = start(workDir, "-Dbaton.checkpoint-interval=1h")) {
                System.out.printf("  empty start: ready in %,d ms%n", filled.readyMillis);
                fill(filled, size);
                filled.kill();
            }
            try (BatonProcess replayed = start(workDir)) {
                report("after kill -9 (journal replay, Redis kept)", replayed, size);
                long stopMillis = replayed.terminate(SHUTDOWN_TIMEOUT_MILLIS);
                System.out.printf("  SIGTERM: clean stop (its final write) in %,d ms; data dir %,.0f MB%n",
                        stopMillis, directorySize(workDir.resolve("redis")) / 1e6);
                warnIfLogged(replayed, "checkpoint failed");
                warnIfLogged(replayed, "Thread blocked");
            }
            try (BatonProcess checkpointed = start(workDir)) {
                report("after SIGTERM (the image with 100,000 tasks or more, else the checkpoint; Redis reloads its AOF)",
                        checkpointed, size);
                redisLoad(workDir.resolve("redis").resolve("redis.log"));
            }
        } finally {
            BatonProcess.stopLeftoverRedis(workDir);
            if (keep) {
                System.out.println("  kept " + workDir);
            } else {
                BatonProcess.deleteTree(workDir);
            }
        }
    }

    private BatonProcess start(Path workDir, String... extra) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(jvm);
        options.addAll(List.of(extra));
        return BatonProcess.start(jar, options, workDir);
    }

    /** Submits {@code size} tasks in batches, round-robin over 4 levels and 20 types. */
    private void fill(BatonProcess baton, int size) throws IOException {
        String[] levels = {"CRITICAL", "HIGH", "MEDIUM", "LOW"};
        long t0 = System.nanoTime();
        try (HttpConnection http = new HttpConnection(baton.url, 300_000)) {
            for (int from = 0; from < size; from += batch) {
                StringBuilder body = new StringBuilder(batch * (pad.length() + 90)).append("{\"tasks\":[");
                for (int n = from; n < Math.min(size, from + batch); n++) {
                    body.append(n == from ? "" : ",").append("{\"type\":\"rec-").append((n / 4) % 20)
                            .append("\",\"priority\":\"").append(levels[n % 4]).append("\",\"payload\":{\"n\":")
                            .append(n).append(",\"pad\":\"").append(pad).append("\"}}");
                }
                HttpConnection.Response r = http.post("/v1/tasks/batch", body.append("]}").toString());
                if (r.status() != 201) {
                    throw new IllegalStateException("batch at " + from + " answered " + r.status() + ": "
                            + r.body().substring(0, Math.min(300, r.body().length())));
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("  filled in %.1f s (%,.0f tasks/s, durable batches)%n", seconds, size / seconds);
    }

    private void report(String title, BatonProcess baton, int size) throws IOException {
        long cpuMillis = ProcessCpu.cpuNanos(baton.batonPid) / 1_000_000; // start-up and recovery: the machine may be busy
        long pending;
        try (HttpConnection http = new HttpConnection(baton.url, 60_000)) {
            pending = JsonFields.number(http.get("/v1/stats").body(), "\"pending\"", 0);
        }
        String line = baton.logLine("recovered ").orElse("");
        Matcher m = RECOVERED.matcher(line);
        Matcher b = BREAKDOWN.matcher(line);
        String recovered = m.find()
                ? String.format("Baton's recovery %,d ms (%,d tasks: %,d from the checkpoint, %,d journal events)%s",
                        Long.parseLong(m.group(4)), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3)), b.find() ? String.format(
                                ", of which reading and decoding %,d ms, rebuilding the engine %,d ms",
                                Long.parseLong(b.group(1)), Long.parseLong(b.group(2))) : "")
                : "no 'recovered' line in " + baton.log;
        System.out.printf("  %s%n    start -> ready %,d ms (Baton CPU %,d ms, load average %s); %s%s%n", title,
                baton.readyMillis, cpuMillis, PeerBenchmark.loadAverage(), recovered,
                size >= 1_000_000 ? goal(baton.readyMillis < GOAL_MILLIS, "< 10 s for 1M") : "");
        if (pending != size) {
            System.out.printf("    warning: %,d pending after recovery, expected %,d%n", pending, size);
        }
    }

    /** Redis' last "DB loaded from append only file" figure, and the size of its append-only files. */
    private static void redisLoad(Path redisLog) throws IOException {
        String loaded = null;
        if (Files.isRegularFile(redisLog)) {
            try (Stream<String> lines = Files.lines(redisLog)) {
                for (String line : (Iterable<String>) lines::iterator) {
                    Matcher m = REDIS_LOADED.matcher(line);
                    if (m.find()) {
                        loaded = m.group(1);
                    }
                }
            }
        }
        Path aof = redisLog.resolveSibling("appendonlydir");
        System.out.printf("    Redis loaded its files in %s s (Redis' log); append-only files %,.0f MB%n",
                loaded == null ? "?" : loaded, Files.isDirectory(aof) ? directorySize(aof) / 1e6 : 0);
    }

    private static void warnIfLogged(BatonProcess baton, String text) throws IOException {
        baton.logLine(text).ifPresent(line -> System.out.printf("    warning: Baton logged: %s%n",
                line.substring(0, Math.min(200, line.length()))));
    }

    private static long directorySize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
