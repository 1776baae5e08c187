package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * What one run of the Node client measured on one side (its {@code RESULT} line), and the table
 * that sets the two sides next to each other. CPU lines are named by the client: {@code producer},
 * {@code agents} or {@code workers} are the client's own processes, {@code machine} the whole
 * machine, every other name a server process (Baton's {@code baton} and {@code redis}, BullMQ's
 * {@code redis}).
 */
record PeerResult(String side, String version, String label, int errors, int rejected, List<Phase> phases) {

    static final Set<String> CLIENT = Set.of("producer", "agents", "workers");
    static final String MACHINE = "machine";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One phase: {@code startup} (tasks/s per window in {@code buckets}), {@code throughput},
     * {@code idle} (cores only), or {@code rate} (with dispatch latency in ms; NaN when nothing was
     * dispatched).
     */
    record Phase(String kind, int rate, double perSecond, Map<String, Double> cpuMicrosPerTask, Map<String, Double> cores,
                 double dispatchP50, double dispatchP99, double dispatchMax, int lateSends,
                 double bucketSeconds, List<Double> buckets) {

        double serverMicrosPerTask() {
            return sum(cpuMicrosPerTask, name -> !CLIENT.contains(name));
        }

        double clientMicrosPerTask() {
            return sum(cpuMicrosPerTask, CLIENT::contains);
        }

        double serverCores() {
            return sum(cores, name -> !CLIENT.contains(name) && !name.equals(MACHINE));
        }

        /** What the machine spent beyond the processes measured: other builds, the kernel. */
        double otherCores() {
            return cores.getOrDefault(MACHINE, Double.NaN) - sum(cores, name -> !name.equals(MACHINE));
        }

        private static double sum(Map<String, Double> values, java.util.function.Predicate<String> which) {
            return values.entrySet().stream().filter(e -> which.test(e.getKey()) && e.getValue() != null)
                    .mapToDouble(Map.Entry::getValue).sum();
        }
    }

    static PeerResult parse(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            List<Phase> phases = new ArrayList<>();
            for (JsonNode p : root.path("phases")) {
                JsonNode dispatch = p.path("dispatch_ms");
                List<Double> buckets = new ArrayList<>();
                p.path("buckets_per_second").forEach(b -> buckets.add(b.asDouble()));
                phases.add(new Phase(p.path("phase").asText(), p.path("rate").asInt(0),
                        p.path("completed_per_second").asDouble(Double.NaN), numbers(p.path("cpu_us_per_task")),
                        numbers(p.path("cores")), number(dispatch.path("p50")), number(dispatch.path("p99")),
                        number(dispatch.path("max")), p.path("late_sends").asInt(0),
                        p.path("bucket_seconds").asDouble(Double.NaN), buckets));
            }
            return new PeerResult(root.path("side").asText(), root.path("version").asText(), root.path("label").asText(),
                    root.path("errors").asInt(0), root.path("rejected").asInt(0), phases);
        } catch (IOException e) {
            throw new UncheckedIOException("not a RESULT line of the Node client: " + json, e);
        }
    }

    private static Map<String, Double> numbers(JsonNode object) {
        Map<String, Double> values = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble() : null));
        return values;
    }

    private static double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : Double.NaN;
    }

    List<Phase> phases(String kind, int rate) {
        return phases.stream().filter(p -> p.kind.equals(kind) && p.rate == rate).toList();
    }

    /**
     * The markdown table of both sides: each cell lists every run's figure ("a and b"), the ratio
     * column divides the means (Baton/BullMQ; above 1 is more of it on Baton's side).
     */
    static String table(List<PeerResult> baton, List<PeerResult> bullmq) {
        return table(baton, bullmq, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The table for a machine of {@code processors} cores. Its "ceiling" row is what the client's own
     * CPU allows on that machine with a server that costs nothing: the processors divided by the
     * client's CPU per task. Each side's throughput is bounded by it, since both share the cores.
     */
    /** The goal for the lifecycle: Baton at this many times BullMQ's tasks a second. */
    static final double GOAL_RATIO = 1.5;

    static String table(List<PeerResult> baton, List<PeerResult> bullmq, int processors) {
        List<Phase> batonStart = phasesOf(baton, "startup", 0);
        List<Phase> bullStart = phasesOf(bullmq, "startup", 0);
        List<Phase> batonFull = phasesOf(baton, "throughput", 0);
        List<Phase> bullFull = phasesOf(bullmq, "throughput", 0);
        StringBuilder t = new StringBuilder();
        t.append("| runs interleaved A B A B | Baton (").append(versionOf(baton)).append(") | BullMQ (")
                .append(versionOf(bullmq)).append(") | Baton/BullMQ |\n|---|---|---|---|\n");
        if (!batonStart.isEmpty() || !bullStart.isEmpty()) {
            double seconds = (batonStart.isEmpty() ? bullStart : batonStart).get(0).bucketSeconds;
            for (int window : List.of(0, 2)) {
                ToDoubleFunction<Phase> bucket = p -> window < p.buckets.size() ? p.buckets.get(window) : Double.NaN;
                row(t, String.format("start-up: tasks/s in the %s %.0f s after start", window == 0 ? "first" : "third", seconds),
                        batonStart, bullStart, bucket, "%,.0f");
            }
        }
        row(t, "lifecycle (submit → completed), tasks/s", batonFull, bullFull, Phase::perSecond, "%,.0f");
        row(t, "server CPU per completed task, µs", batonFull, bullFull, Phase::serverMicrosPerTask, "%.0f",
                p -> breakdown(p.cpuMicrosPerTask, name -> !CLIENT.contains(name), "%.0f"));
        row(t, "client CPU per completed task, µs", batonFull, bullFull, Phase::clientMicrosPerTask, "%.0f",
                p -> breakdown(p.cpuMicrosPerTask, CLIENT::contains, "%.0f"));
        row(t, String.format("ceiling the client leaves on %d cores with a server that costs nothing, tasks/s", processors),
                batonFull, bullFull, p -> processors * 1e6 / p.clientMicrosPerTask(), "%,.0f");
        row(t, "other processes on the machine, cores", batonFull, bullFull, Phase::otherCores, "%.2f");
        t.append("| ").append(budgetName(processors)).append(" | ").append(budget(batonFull, bullFull, processors))
                .append(" | | |\n");
        row(t, "server CPU idle, every agent waiting, cores", phasesOf(baton, "idle", 0), phasesOf(bullmq, "idle", 0),
                Phase::serverCores, "%.4f");
        for (int rate : rates(baton, bullmq)) {
            List<Phase> a = phasesOf(baton, "rate", rate);
            List<Phase> b = phasesOf(bullmq, "rate", rate);
            String at = String.format("at %,d tasks/s", rate);
            row(t, "dispatch " + at + ", p50 ms", a, b, Phase::dispatchP50, "%.2f");
            row(t, "dispatch " + at + ", p99 ms", a, b, Phase::dispatchP99, "%.2f");
            row(t, "dispatch " + at + ", max ms", a, b, Phase::dispatchMax, "%.1f");
            row(t, "server CPU " + at + ", cores", a, b, Phase::serverCores, "%.2f",
                    p -> breakdown(p.cores, name -> !CLIENT.contains(name) && !name.equals(MACHINE), "%.2f"));
            row(t, "late sends " + at, a, b, p -> p.lateSends, "%.0f");
        }
        t.append("| errors, and submits refused with 429 (dropped) | ").append(count(baton, PeerResult::errors)).append(", ")
                .append(count(baton, PeerResult::rejected)).append(" | ").append(count(bullmq, PeerResult::errors)).append(", ")
                .append(count(bullmq, PeerResult::rejected)).append(" | |\n");
        return t.toString();
    }

    static String budgetName(int processors) {
        return String.format("server CPU per task that leaves Baton %.1f × BullMQ's lifecycle on %d cores, µs", GOAL_RATIO, processors);
    }

    /**
     * What Baton's server (JVM and Redis) may spend per task for its lifecycle to reach
     * {@link #GOAL_RATIO} times BullMQ's on these cores, its client's CPU per task being what it
     * was: the cores over that many tasks a second, less the client's share. Below zero no server
     * could: the client alone needs more than the cores hold at that rate.
     */
    static String budget(List<Phase> baton, List<Phase> bullmq, int processors) {
        double target = GOAL_RATIO * mean(bullmq, Phase::perSecond);
        double client = mean(baton, Phase::clientMicrosPerTask);
        if (Double.isNaN(target) || Double.isNaN(client) || target <= 0) {
            return "-";
        }
        double left = processors * 1e6 / target - client;
        return left > 0
                ? String.format("%.0f (at %,.0f tasks/s, its client taking %.0f)", left, target, client)
                : String.format("none: at %,.0f tasks/s its client alone needs %.2f cores", target, target * client / 1e6);
    }

    private static void row(StringBuilder t, String name, List<Phase> a, List<Phase> b, ToDoubleFunction<Phase> value,
                            String format) {
        row(t, name, a, b, value, format, p -> "");
    }

    private static void row(StringBuilder t, String name, List<Phase> a, List<Phase> b, ToDoubleFunction<Phase> value,
                            String format, Function<Phase, String> detail) {
        t.append("| ").append(name).append(" | ").append(cell(a, value, format, detail)).append(" | ")
                .append(cell(b, value, format, detail)).append(" | ").append(ratio(mean(a, value), mean(b, value)))
                .append(" |\n");
    }

    private static String cell(List<Phase> phases, ToDoubleFunction<Phase> value, String format, Function<Phase, String> detail) {
        if (phases.isEmpty()) {
            return "-";
        }
        return phases.stream().map(p -> {
            double v = value.applyAsDouble(p);
            String d = detail.apply(p);
            return (Double.isNaN(v) ? "-" : String.format(format, v)) + (d.isEmpty() ? "" : " (" + d + ")");
        }).collect(Collectors.joining(" and "));
    }

    private static String breakdown(Map<String, Double> values, java.util.function.Predicate<String> which, String format) {
        return values.entrySet().stream().filter(e -> which.test(e.getKey()) && e.getValue() != null)
                .map(e -> e.getKey() + " " + String.format(format, e.getValue())).collect(Collectors.joining(" + "));
    }

    private static double mean(List<Phase> phases, ToDoubleFunction<Phase> value) {
        return phases.stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format("%.2f", a / b);
    }

    private static List<Phase> phasesOf(List<PeerResult> results, String kind, int rate) {
        return results.stream().flatMap(r -> r.phases(kind, rate).stream()).toList();
    }

    private static List<Integer> rates(List<PeerResult> a, List<PeerResult> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).flatMap(r -> r.phases.stream())
                .filter(p -> p.kind.equals("rate")).map(Phase::rate).distinct().sorted().toList();
    }

    private static String versionOf(List<PeerResult> results) {
        return results.isEmpty() ? "not run" : results.get(0).version;
    }

    private static int count(List<PeerResult> results, java.util.function.ToIntFunction<PeerResult> what) {
        return results.stream().mapToInt(what).sum();
    }
}
