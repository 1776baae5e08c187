package dev.baton.bench;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs {@link EngineBenchmark} with short defaults fit for a two-core machine (one fork, 3
 * warm-up and 5 measured iterations of 2 s, set on the benchmark class) and prints a summary
 * with the claim-latency goal. JMH command-line options, as arguments or in the system property
 * {@code bench.jmh}, override the defaults, e.g. {@code -Dbench.jmh="-i 10 -wi 5 claim"}.
 */
public final class EngineBench {

    static final double CLAIM_P99_GOAL_MICROS = 20;

    private EngineBench() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        String extra = System.getProperty("bench.jmh", "").trim();
        CommandLineOptions cli = new CommandLineOptions(extra.isEmpty() ? args
                : Stream.concat(Arrays.stream(extra.split("\\s+")), Arrays.stream(args)).toArray(String[]::new));
        OptionsBuilder builder = new OptionsBuilder();
        if (cli.getIncludes().isEmpty()) {
            builder.include(EngineBenchmark.class.getName());
        }
        Options options = builder.parent(cli).build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.printf("engine, %,d queued tasks (µs per call)%n", EngineFixture.QUEUED);
        System.out.printf("  %-20s %13s %9s %9s %9s %9s%n", "benchmark", "1/mean ops/s", "mean", "p50", "p99", "p99.9");
        for (RunResult run : results) {
            String name = run.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            String recording = run.getParams().getParam("recording");
            name = recording == null || recording.equals("none") ? name : name + " +" + recording;
            String keys = run.getParams().getParam("keys");
            name = keys == null ? name : name + " keys=" + keys;
            Result<?> primary = run.getPrimaryResult();
            Statistics stats = primary.getStatistics();
            double mean = stats.getMean();
            System.out.printf("  %-20s %,13.0f %9.2f %9.2f %9.2f %9.2f%s%n", name, 1e6 / mean, mean,
                    stats.getPercentile(50), stats.getPercentile(99), stats.getPercentile(99.9), allocated(run));
            if (name.equals("claim") || name.startsWith("claim keys=")) {
                double p99 = stats.getPercentile(99);
                System.out.printf("  goal claim p99 < %.0f µs with 1M queued: %s (%.2f µs)%n",
                        CLAIM_P99_GOAL_MICROS, p99 < CLAIM_P99_GOAL_MICROS ? "MET" : "MISSED", p99);
            }
        }
    }

    /** With {@code -prof gc}: the bytes allocated per call (by every thread: the untimed set-up and teardown count too). */
    private static String allocated(RunResult run) {
        for (Map.Entry<String, Result> secondary : run.getSecondaryResults().entrySet()) {
            if (secondary.getKey().endsWith("gc.alloc.rate.norm")) {
                return String.format("  %,.0f B/op", secondary.getValue().getScore());
            }
        }
        return "";
    }
}
