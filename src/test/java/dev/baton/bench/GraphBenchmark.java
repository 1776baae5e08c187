package dev.baton.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static dev.baton.bench.LoadBenchmark.goal;

/**
 * Dependencies over HTTP, against a Baton it starts (with {@code -Dbaton.max-batch} raised to fit)
 * or one already running ({@code --url}):
 * <ul>
 *   <li><b>fan-out</b>: one batch of {@code fan-out} tasks, one root and the rest depending on it.
 *   Times the batch's POST round trip; then an agent claims and completes the root and a poller
 *   reads {@code GET /v1/stats} every {@value #POLL_MICROS} µs until every dependent is queued
 *   (PENDING). Prints the complete round trip (in journal mode it includes writing every released
 *   dependent's event to Redis) and when the poller saw them all queued, counted from the
 *   complete's send and from its answer.</li>
 *   <li><b>fan-in</b>: one batch of {@code fan-in} roots and one join depending on all of them.
 *   Times the POST; completes every root but the last, then the last one, and times as above
 *   until the join is queued.</li>
 * </ul>
 * Goals: a batch of 100,000 accepted in under 1 s, its 99,999 dependents released in under 200 ms.
 * The same, without HTTP and Redis, is {@link EngineGraph}.
 */
public final class GraphBenchmark {

    static final long ACCEPT_GOAL_MILLIS = 1_000;
    static final long RELEASE_GOAL_MILLIS = 200;
    static final long POLL_MICROS = 2_000;
    static final long RELEASE_TIMEOUT_MILLIS = 120_000;
    static final int COMPLETERS = 8;
    static final String AGENT = "graph-bench-agent";

    private final URI url;
    private final String token;

    private GraphBenchmark(URI url, String token) {
        this.url = url;
        this.token = token;
    }

    public static void main(String[] args) throws Exception {
        LoadOptions.Lookup o = LoadOptions.lookup(args);
        int fanOut = o.integer("fan-out", 100_000);
        int fanIn = o.integer("fan-in", 10_000);
        int rounds = o.integer("graph-rounds", 2);
        String given = o.get("url");
        List<String> jvm = new ArrayList<>(LoadOptions.jvmOptions(o.get("baton-jvm-options")));
        jvm.add("-Dbaton.max-batch=" + Math.max(fanOut, fanIn + 1));
        jvm.add("-Dquarkus.http.limits.max-body-size=" + BatonProcess.BENCH_MAX_BODY); // batches of megabytes
        try (BatonProcess baton = given != null ? BatonProcess.attach(URI.create(given), -1, -1)
                : BatonProcess.start(Path.of(o.or("jar", "target/quarkus-app/quarkus-run.jar")), jvm)) {
            System.out.printf("Baton graph benchmark: %s, %d cores%n", baton.url, Runtime.getRuntime().availableProcessors());
            GraphBenchmark bench = new GraphBenchmark(baton.url, o.get("token"));
            bench.register();
            for (int round = 1; round <= rounds; round++) {
                String label = rounds == 1 ? "" : " (round " + round + " of " + rounds + (round == 1 ? ", cold JVM" : "") + ")";
                if (fanOut > 1) {
                    bench.fanOut(fanOut, round, label);
                }
                if (fanIn > 0) {
                    bench.fanIn(fanIn, round, label);
                }
            }
        }
    }

    private HttpConnection connect() {
        return new HttpConnection(url, 300_000, token);
    }

    private void register() throws IOException {
        try (HttpConnection http = connect()) {
            expect(http.put("/v1/agents/" + AGENT,
                    "{\"capabilities\":[\"fanout-root\",\"fanin-root\"],\"max_concurrency\":100000}"), 200, 201);
        }
    }

    private void fanOut(int size, int round, String label) throws Exception {
        String leaf = "fanout-leaf-" + round; // a type of its own each round: its queue depth is the count to wait for
        StringBuilder body = new StringBuilder(size * 48).append("{\"tasks\":[{\"ref\":\"root\",\"type\":\"fanout-root\"}");
        for (int i = 1; i < size; i++) {
            body.append(",{\"ref\":\"d").append(i).append("\",\"type\":\"").append(leaf).append("\",\"depends_on\":[\"root\"]}");
        }
        body.append("]}");
        System.out.printf("%nfan-out%s: 1 root, %,d dependents (%,d edges), one batch of %.1f MB%n",
                label, size - 1, size - 1, body.length() / 1e6);
        try (HttpConnection http = connect()) {
            String rootId = JsonFields.string(accept(http, body.toString(), size), "id", 0);
            Lease root = claim(http, 1).get(0);
            if (!root.taskId.equals(rootId)) {
                throw new IllegalStateException("claimed " + root.taskId + ", expected the root " + rootId);
            }
            timeRelease(http, root, leaf, size - 1, "all " + String.format("%,d", size - 1) + " dependents");
        }
    }

    private void fanIn(int roots, int round, String label) throws Exception {
        String joinType = "fanin-join-" + round;
        StringBuilder body = new StringBuilder(roots * 60).append("{\"tasks\":[");
        StringBuilder join = new StringBuilder(roots * 8).append("{\"ref\":\"join\",\"type\":\"").append(joinType)
                .append("\",\"depends_on\":[");
        for (int i = 0; i < roots; i++) {
            body.append("{\"ref\":\"r").append(i).append("\",\"type\":\"fanin-root\"},");
            join.append(i == 0 ? "" : ",").append("\"r").append(i).append('"');
        }
        body.append(join).append("]}]}");
        System.out.printf("%nfan-in%s: %,d roots into one join (%,d edges), one batch of %.1f MB%n",
                label, roots, roots, body.length() / 1e6);
        try (HttpConnection http = connect()) {
            accept(http, body.toString(), roots + 1);
            List<Lease> leases = new ArrayList<>(roots);
            while (leases.size() < roots) {
                leases.addAll(claim(http, Math.min(100, roots - leases.size())));
            }
            Lease last = leases.remove(leases.size() - 1);
            long t0 = System.nanoTime();
            completeAll(leases);
            System.out.printf("  %,d roots completed over %d connections in %.2f s%n", leases.size(), COMPLETERS,
                    (System.nanoTime() - t0) / 1e9);
            timeRelease(http, last, joinType, 1, "the join");
        }
    }

    /** POSTs the batch, prints its round trip against the goal and returns the answer. */
    private String accept(HttpConnection http, String body, int size) throws IOException {
        long t0 = System.nanoTime();
        HttpConnection.Response r = http.post("/v1/tasks/batch", body);
        double millis = (System.nanoTime() - t0) / 1e6;
        expect(r, 201);
        System.out.printf("  batch accepted (POST round trip)      %,10.1f ms%s%n", millis,
                size >= 100_000 ? goal(millis < ACCEPT_GOAL_MILLIS, "< " + ACCEPT_GOAL_MILLIS + " ms") : "");
        return r.body();
    }

    /**
     * Completes {@code lease}'s task while a poller reads the stats, and prints how long it took
     * until {@code count} tasks of {@code type} were queued.
     */
    private void timeRelease(HttpConnection http, Lease lease, String type, int count, String what) throws Exception {
        AtomicLong seenAt = new AtomicLong();
        Thread poller = new Thread(() -> poll(type, count, seenAt), "graph-bench-poller");
        poller.setDaemon(true);
        poller.start();
        LockSupport.parkNanos(20_000_000); // the poller is connected and polling
        long sent = System.nanoTime();
        expect(complete(http, lease), 200);
        long answered = System.nanoTime();
        poller.join(RELEASE_TIMEOUT_MILLIS);
        long seen = seenAt.get();
        if (seen == 0) {
            throw new IllegalStateException(what + " not queued " + RELEASE_TIMEOUT_MILLIS + " ms after the complete");
        }
        double roundTrip = (answered - sent) / 1e6;
        double sinceSent = (seen - sent) / 1e6;
        System.out.printf("  complete round trip (release inside)  %,10.1f ms%n", roundTrip);
        System.out.printf("  %s queued, seen by the poller  %,.1f ms after the complete was sent, %s%s%n", what, sinceSent,
                seen <= answered ? "before it answered" : String.format("%,.1f ms after it answered", (seen - answered) / 1e6),
                count >= 99_999 ? goal(sinceSent < RELEASE_GOAL_MILLIS, "< " + RELEASE_GOAL_MILLIS + " ms") : "");
    }

    /** Reads the stats until {@code count} PENDING tasks of {@code type}; stores the nanoTime of that answer. */
    private void poll(String type, int count, AtomicLong seenAt) {
        long deadline = System.nanoTime() + RELEASE_TIMEOUT_MILLIS * 1_000_000;
        try (HttpConnection http = connect()) {
            while (System.nanoTime() < deadline) {
                HttpConnection.Response r = http.get("/v1/stats");
                long at = System.nanoTime();
                if (r.status() == 200 && JsonFields.number(r.body(), '"' + type + '"', 0) >= count) {
                    seenAt.set(at);
                    return;
                }
                LockSupport.parkNanos(POLL_MICROS * 1_000);
            }
        } catch (IOException e) {
            System.err.println("graph bench: stats poller failed: " + e);
        }
    }

    record Lease(String taskId, String leaseId) {
    }

    private List<Lease> claim(HttpConnection http, int max) throws IOException {
        HttpConnection.Response r = http.post("/v1/agents/" + AGENT + "/claim?wait_ms=1000&max=" + max, null);
        expect(r, 200);
        return leases(r.body());
    }

    /** The task ids and lease ids of a claim answer holding any number of tasks. */
    static List<Lease> leases(String body) {
        List<Lease> leases = new ArrayList<>();
        for (int at = JsonFields.key(body, "lease_id", 0); at >= 0; at = JsonFields.key(body, "lease_id", at + 1)) {
            // each claimed task: its "id" comes before its "lease_id"
            int task = body.lastIndexOf("{\"id\"", at);
            leases.add(new Lease(JsonFields.string(body, "id", task), JsonFields.string(body, "lease_id", at)));
        }
        return leases;
    }

    private HttpConnection.Response complete(HttpConnection http, Lease lease) throws IOException {
        return http.post("/v1/tasks/" + lease.taskId + "/complete", "{\"lease_id\":\"" + lease.leaseId + "\",\"result\":{}}");
    }

    /** Completes the leases over {@value #COMPLETERS} connections at once (setup, not measured). */
    private void completeAll(List<Lease> leases) throws InterruptedException {
        ConcurrentLinkedQueue<Lease> todo = new ConcurrentLinkedQueue<>(leases);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < COMPLETERS; i++) {
            Thread t = new Thread(() -> {
                try (HttpConnection http = connect()) {
                    for (Lease lease = todo.poll(); lease != null; lease = todo.poll()) {
                        expect(complete(http, lease), 200);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "graph-bench-completer-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!todo.isEmpty()) {
            throw new IllegalStateException(todo.size() + " roots not completed");
        }
    }

    private static void expect(HttpConnection.Response r, int... statuses) {
        for (int status : statuses) {
            if (r.status() == status) {
                return;
            }
        }
        String body = r.body();
        throw new IllegalStateException("Baton answered " + r.status() + ": " + body.substring(0, Math.min(500, body.length())));
    }
}
