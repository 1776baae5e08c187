package dev.baton.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The peer benchmark's options, read like {@link LoadOptions}: {@code --name value}, else
 * {@code -Dbench.name=value}, else the defaults below. Durations are passed to the Node client as
 * written ({@code 500ms}, {@code 20s}, {@code 2m}); they are checked here first.
 *
 * @param runs          A B runs after the start-up phase (each: throughput, then every rate)
 * @param agents        Baton agents, and BullMQ's worker concurrency
 * @param inFlight      single submits (adds) in flight
 * @param duration      the measured throughput window, after {@code warmup} of the same load
 * @param rates         the fixed rates, tasks/s, each measured for {@code rateDuration} after {@code rateWarmup}
 * @param warmupTasks   the start-up phase runs until at least this many tasks are done (and three windows)
 * @param startupWindow the start-up phase's window (tasks/s in the first, second and third)
 */
record PeerOptions(
        int runs,
        int agents,
        int inFlight,
        String duration,
        String warmup,
        List<Integer> rates,
        String rateDuration,
        String rateWarmup,
        int warmupTasks,
        String startupWindow,
        Path jar,
        List<String> batonJvmOptions,
        String node,
        String npm) {

    static PeerOptions parse(String[] args) {
        LoadOptions.Lookup o = LoadOptions.lookup(args);
        PeerOptions options = new PeerOptions(
                o.integer("peer-runs", 2),
                o.integer("agents", 50),
                o.integer("in-flight", 64),
                checkedDuration(o.or("peer-duration", "20s")),
                checkedDuration(o.or("peer-warmup", "5s")),
                Arrays.stream(o.or("peer-rates", "500,1000").split("\\s*,\\s*")).map(Integer::valueOf).toList(),
                checkedDuration(o.or("peer-rate-duration", "10s")),
                checkedDuration(o.or("peer-rate-warmup", "2s")),
                o.integer("peer-warmup-tasks", 20_000),
                checkedDuration(o.or("peer-startup-window", "10s")),
                Path.of(o.or("jar", "target/quarkus-app/quarkus-run.jar")),
                LoadOptions.jvmOptions(o.get("baton-jvm-options")),
                o.or("node", "node"),
                o.or("npm", "npm"));
        if (options.runs < 1 || options.agents < 1 || options.inFlight < 1 || options.warmupTasks < 1) {
            throw new IllegalArgumentException("--peer-runs, --agents, --in-flight and --peer-warmup-tasks must be positive");
        }
        if (options.rates.isEmpty() || options.rates.stream().anyMatch(r -> r < 1)) {
            throw new IllegalArgumentException("--peer-rates must list tasks/s of 1 or more, was " + options.rates);
        }
        return options;
    }

    private static String checkedDuration(String text) {
        LoadOptions.duration(text);
        return text;
    }
}
