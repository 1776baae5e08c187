package dev.baton.bench;

import dev.baton.testing.RedisServerProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Baton and BullMQ side by side, both driven by the same independent Node client
 * ({@code src/test/bench/node}): {@code baton-load.mjs} over HTTP/1.1 keep-alive, {@code bullmq-load.mjs}
 * through BullMQ and ioredis, each with one producer process (single submits, 64 in flight) and one
 * consumer process (50 agents long-polling {@code claim?max=1}, or one Worker of concurrency 50).
 * Prints one table with both sides and the ratios (Baton/BullMQ). Not a unit test; run it with
 * {@code ./mvnw -Pbench verify -Dbench.peer=true} (see {@link PeerOptions}).
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li>Each side gets its own redis-server (the same binary; append-only file, fsync every second)
 *   on a free port; Baton is the packaged jar in journal mode against its Redis.</li>
 *   <li>Start-up: right after Baton is ready its client drives it flat out, with tasks/s in the
 *   first, second and third {@code startup-window} (10 s), until at least {@code warmup-tasks}
 *   (20,000) are done: that is the warm-up. BullMQ gets the same start-up phase.</li>
 *   <li>Then runs alternate A B A B ({@code runs} each), every run on each side: an idle window
 *   (every agent waiting, nothing submitted), throughput, then each fixed rate. The Node client reads the CPU time of the processes it is given (Baton's JVM
 *   and Redis; BullMQ's Redis) and of its own consumer and producer from {@code /proc/<pid>/stat}
 *   at both ends of each window, and prints its figures as one {@code RESULT <json>} line.</li>
 *   <li>The Node packages are installed with {@code npm ci} from the committed lock file into
 *   {@code target/peer-bench/node} on every run, never into the source tree.</li>
 * </ul>
 */
public final class PeerBenchmark {

    static final Path NODE_SOURCES = Path.of("src/test/bench/node");
    static final List<String> NODE_FILES = List.of("package.json", "package-lock.json", "common.mjs",
            "baton-load.mjs", "bullmq-load.mjs");
    static final String RESULT_PREFIX = "RESULT ";

    private final PeerOptions options;
    private final Path nodeDir;

    private PeerBenchmark(PeerOptions options, Path nodeDir) {
        this.options = options;
        this.nodeDir = nodeDir;
    }

    public static void main(String[] args) throws Exception {
        PeerOptions options = PeerOptions.parse(args);
        Path nodeDir = install(options);
        new PeerBenchmark(options, nodeDir).run();
    }

    private void run() throws Exception {
        String loadBefore = loadAverage();
        List<PeerResult> baton = new ArrayList<>();
        List<PeerResult> bullmq = new ArrayList<>();
        long readyMillis;
        try (RedisServerProcess batonRedis = RedisServerProcess.startNew();
             RedisServerProcess bullRedis = RedisServerProcess.startNew()) {
            List<String> jvm = new ArrayList<>(options.batonJvmOptions());
            jvm.add("-Dbaton.durability=journal");
            jvm.add("-Dquarkus.redis.hosts=" + batonRedis.uri());
            try (BatonProcess server = BatonProcess.start(options.jar(), jvm)) {
                readyMillis = server.readyMillis;
                System.out.printf("Baton's redis-server: pid %d, port %d; BullMQ's: pid %d, port %d%n",
                        batonRedis.pid(), batonRedis.port(), bullRedis.pid(), bullRedis.port());
                List<String> batonArgs = List.of("--url", server.url.toString(),
                        "--cpu", "baton=" + server.batonPid + ",redis=" + batonRedis.pid());
                List<String> bullArgs = List.of("--redis", "127.0.0.1:" + bullRedis.port(), "--cpu", "redis=" + bullRedis.pid());
                baton.add(client("baton-load.mjs", batonArgs, "startup", "startup"));
                bullmq.add(client("bullmq-load.mjs", bullArgs, "startup", "startup"));
                String phases = "idle,throughput," + String.join(",", options.rates().stream().map(r -> "rate:" + r).toList());
                for (int run = 1; run <= options.runs(); run++) {
                    baton.add(client("baton-load.mjs", batonArgs, phases, "run " + run));
                    bullmq.add(client("bullmq-load.mjs", bullArgs, phases, "run " + run));
                }
            }
        }
        System.out.println();
        System.out.printf("Baton (ready %.1f s after start) and BullMQ, %d agents / worker concurrency %d, %d submits in flight; "
                + "load average before %s, after %s on %d cores%n", readyMillis / 1000.0, options.agents(), options.agents(),
                options.inFlight(), loadBefore, loadAverage(), Runtime.getRuntime().availableProcessors());
        System.out.print(PeerResult.table(baton, bullmq));
    }

    /** Runs one Node client to its end, echoing its output, and returns its RESULT line read. */
    private PeerResult client(String script, List<String> sideArgs, String phases, String label)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(options.node(), script));
        command.addAll(sideArgs);
        command.addAll(List.of("--phases", phases, "--label", label,
                "--agents", Integer.toString(options.agents()), "--in-flight", Integer.toString(options.inFlight()),
                "--duration", options.duration(), "--warmup", options.warmup(),
                "--rate-duration", options.rateDuration(), "--rate-warmup", options.rateWarmup(),
                "--startup-tasks", Integer.toString(options.warmupTasks()), "--startup-window", options.startupWindow()));
        Process process = new ProcessBuilder(command).directory(nodeDir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(RESULT_PREFIX)) {
                    result = line.substring(RESULT_PREFIX.length());
                } else {
                    System.out.println(line);
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || result == null) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + exit
                    + (result == null ? " and printed no RESULT line" : ""));
        }
        return PeerResult.parse(result);
    }

    /** Copies the Node client into target/peer-bench/node and installs its locked packages there. */
    private static Path install(PeerOptions options) throws IOException, InterruptedException {
        Path dir = Path.of("target", "peer-bench", "node");
        Files.createDirectories(dir);
        for (String file : NODE_FILES) {
            Files.copy(NODE_SOURCES.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> command = List.of(options.npm(), "ci", "--no-audit", "--no-fund", "--loglevel=error");
        Process npm = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (npm.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " in " + dir + " failed: "
                    + "Node 20.18+ and npm with access to the npm registry are needed");
        }
        return dir;
    }

    static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
