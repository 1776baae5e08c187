package dev.baton.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load benchmark's options: {@code --name value} (or {@code --name=value}) arguments, else
 * {@code -Dbench.name=value} system properties, else the defaults below. Durations take
 * {@code 500ms}, {@code 20s}, {@code 2m} or plain seconds.
 *
 * @param url          a running Baton to measure; null to start one from {@code jar}
 * @param mode         {@code throughput}, {@code rate} or {@code both}
 * @param inFlight     concurrent submits (one connection and thread each)
 * @param token        bearer token for a Baton with auth on (the admin token, as the generator
 *                     both produces and runs tasks); null for none
 * @param maxBacklog   submitted but not completed tasks the producers allow; enough to keep every
 *                     agent busy, small enough that the queue stays short
 * @param durability   the {@code baton.durability} modes to start Baton with, one after the other
 *                     ({@code journal}, {@code checkpoint}); ignored with {@code url}
 * @param subscribers  how many SSE subscribers to {@code /v1/events} each round of phases runs
 *                     with, one round per entry ({@code 0,100,0}: without, with 100, without
 *                     again, so the round with subscribers is bracketed)
 * @param eventRate    events per second of the events phase (run with subscribers attached)
 */
record LoadOptions(
        URI url,
        int agents,
        Duration warmup,
        Duration duration,
        int rate,
        String mode,
        int inFlight,
        int maxBacklog,
        Path jar,
        List<String> batonJvmOptions,
        long batonPid,
        long redisPid,
        String token,
        List<String> durability,
        List<Integer> subscribers,
        int eventRate) {

    static LoadOptions parse(String[] args) {
        Lookup o = lookup(args);
        String url = o.get("url");
        String jvm = o.get("baton-jvm-options");
        LoadOptions options = new LoadOptions(
                url == null ? null : URI.create(url),
                Integer.parseInt(o.or("agents", "50")),
                duration(o.or("warmup", "10s")),
                duration(o.or("duration", "20s")),
                Integer.parseInt(o.or("rate", "1000")),
                o.or("mode", "both"),
                Integer.parseInt(o.or("in-flight", "64")),
                Integer.parseInt(o.or("max-backlog", "2000")),
                Path.of(o.or("jar", "target/quarkus-app/quarkus-run.jar")),
                jvmOptions(jvm),
                Long.parseLong(o.or("baton-pid", "-1")),
                Long.parseLong(o.or("redis-pid", "-1")),
                o.get("token"),
                List.of(o.or("durability", "journal,checkpoint").split("\\s*,\\s*")),
                Arrays.stream(o.or("subscribers", "0,100,0").split("\\s*,\\s*")).map(Integer::valueOf).toList(),
                Integer.parseInt(o.or("event-rate", "1000")));
        if (!List.of("throughput", "rate", "both").contains(options.mode)) {
            throw new IllegalArgumentException("--mode must be throughput, rate or both, was " + options.mode);
        }
        if (!List.of("journal", "checkpoint").containsAll(options.durability)) {
            throw new IllegalArgumentException("--durability must list journal and/or checkpoint, was " + options.durability);
        }
        if (options.agents < 1 || options.rate < 1 || options.inFlight < 1 || options.eventRate < 1) {
            throw new IllegalArgumentException("--agents, --rate, --event-rate and --in-flight must be positive");
        }
        if (options.subscribers.isEmpty() || options.subscribers.stream().anyMatch(n -> n < 0)) {
            throw new IllegalArgumentException("--subscribers must list counts of 0 or more, was " + options.subscribers);
        }
        return options;
    }

    boolean throughput() {
        return !mode.equals("rate");
    }

    boolean fixedRate() {
        return !mode.equals("throughput");
    }

    /** Options from {@code --name value} arguments, else {@code -Dbench.name=value} properties; blank is absent. */
    static Lookup lookup(String[] args) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'; options are --name value");
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                given.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                given.put(arg.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
        }
        return name -> {
            String value = given.getOrDefault(name, System.getProperty("bench." + name));
            return value == null || value.isBlank() ? null : value.trim();
        };
    }

    /**
     * Baton's JVM options: those {@code bin/baton} adds on this machine ({@code
     * -XX:+UseTransparentHugePages} where Linux offers huge pages to a process that asks), then
     * {@code text}, whitespace-separated ({@code -XX:-UseTransparentHugePages} there turns them off).
     */
    static List<String> jvmOptions(String text) {
        List<String> options = new ArrayList<>();
        if (kernelOffersHugePages()) {
            options.add("-XX:+UseTransparentHugePages");
        }
        if (text != null) {
            options.addAll(Arrays.asList(text.trim().split("\\s+")));
        }
        return options;
    }

    /** As bin/baton reads it: THP "always" or "madvise". */
    private static boolean kernelOffersHugePages() {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        try {
            return Files.exists(thp) && Files.readString(thp).matches("(?s).*\\[(always|madvise)\\].*");
        } catch (IOException e) {
            return false;
        }
    }

    static Duration duration(String text) {
        String t = text.trim().toLowerCase();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
    }

    @FunctionalInterface
    interface Lookup {
        String get(String name);

        default String or(String name, String fallback) {
            String value = get(name);
            return value == null ? fallback : value;
        }

        default int integer(String name, int fallback) {
            return Integer.parseInt(or(name, Integer.toString(fallback)).replace("_", ""));
        }
    }
}
