package dev.baton.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives Baton over HTTP as a fleet would: {@code agents} simulated agents long-poll, claim and
 * complete at once, while a producer submits either as fast as it can (throughput) or at a
 * fixed rate (dispatch latency). Prints lifecycle throughput, claim round-trip and dispatch
 * latency percentiles (HdrHistogram), the CPU time Baton, its Redis and this generator spent
 * in the measured window, Baton's CPU per completed task and its heap. Each round of phases runs
 * with a number of SSE subscribers to {@code /v1/events} attached ({@code --subscribers 0,100,0});
 * with subscribers, it also measures event delivery and adds an events phase at a fixed event
 * rate. Not a unit test; run it with {@code ./mvnw -Pbench verify} or directly (see
 * {@link LoadOptions}).
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li>Each agent and each producer slot is one thread with its own keep-alive connection
 *   ({@link HttpConnection}): blocking I/O on a few dozen threads is the cheapest client there
 *   is, and the generator's CPU competes with Baton's.</li>
 *   <li>Dispatch latency: a producer writes {@code System.nanoTime()} into the payload just
 *   before it sends; the agent that receives the task subtracts it from its own receipt time.
 *   Same JVM, same clock.</li>
 *   <li>Event delivery latency: an agent notes {@code System.nanoTime()} under the task id just
 *   before it sends the complete; each subscriber that reads that task's {@code task.completed}
 *   records its receipt time minus that. It spans the complete's request up to the engine's
 *   change, then the fan-out and the subscriber's read: an upper bound of engine change to SSE
 *   client.</li>
 *   <li>Before the first phase, an unmeasured warm-up at full load (three warm-up periods); then each phase warms up,
 *   then measures a window: counters and CPU times are read at both
 *   ends and the histograms restarted at its start; afterwards the producers stop and the
 *   agents drain what is left, so the next phase starts from an empty queue.</li>
 * </ul>
 */
public final class LoadBenchmark {

    static final long CPU_PER_TASK_GOAL_MICROS = 100;
    static final double DISPATCH_P99_GOAL_MILLIS = 5;
    static final double EVENT_P99_GOAL_MILLIS = 10;
    static final int GOAL_SUBSCRIBERS = 100;
    /** The throughput with subscribers attached may fall this much below the throughput without. */
    static final double SUBSCRIBER_COST_GOAL = 0.10;
    /** task.submitted, task.assigned, task.completed. */
    static final int EVENTS_PER_LIFECYCLE = 3;
    static final int GOAL_RATE = 1000;
    static final int CLAIM_WAIT_MILLIS = 5_000;
    static final int PAYLOAD_BYTES = 200;
    static final long DRAIN_TIMEOUT_MILLIS = 120_000;
    /** Share of the machine's CPU that processes other than Baton, Redis and the generator may take unremarked. */
    static final double OTHERS_WARNING_SHARE = 0.10;

    private final LoadOptions options;
    private final BatonProcess baton;

    private final LongAdder submitted = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder lateSends = new LongAdder();
    private final AtomicInteger errorsShown = new AtomicInteger();
    private final Recorder claimRoundTrip = new Recorder(3);
    private final Recorder dispatch = new Recorder(3);
    private final Recorder submitRoundTrip = new Recorder(3);
    private final Recorder completeRoundTrip = new Recorder(3);
    private final Recorder eventDelivery = new Recorder(3);
    /** Task id → when its complete was sent, while subscribers are attached. */
    private final Map<String, Long> completeSentAt = new ConcurrentHashMap<>();
    private volatile SseSubscribers subscribers;

    private volatile boolean running = true;
    private volatile boolean producing;
    /** 0: as fast as allowed; else nanoseconds between sends at the fixed rate. */
    private volatile long periodNanos;
    private final AtomicLong nextSendAt = new AtomicLong();
    /** One permit per task submitted and not yet completed: producers block on a full backlog, never spin. */
    private final Semaphore backlog;

    private LoadBenchmark(LoadOptions options, BatonProcess baton) {
        this.options = options;
        this.baton = baton;
        this.backlog = new Semaphore(options.maxBacklog());
    }

    public static void main(String[] args) throws Exception {
        LoadOptions options = LoadOptions.parse(args);
        if (options.url() != null) {
            try (BatonProcess baton = BatonProcess.attach(options.url(), options.batonPid(), options.redisPid())) {
                new LoadBenchmark(options, baton).run("as configured");
            }
            return;
        }
        List<PhaseResult> results = new ArrayList<>();
        for (String durability : options.durability()) {
            List<String> jvm = new ArrayList<>(options.batonJvmOptions());
            jvm.add("-Dbaton.durability=" + durability);
            try (BatonProcess baton = BatonProcess.start(options.jar(), jvm)) {
                results.addAll(new LoadBenchmark(options, baton).run(durability));
            }
        }
        if (results.size() > 1) {
            compare(results);
        }
    }

    /** What one phase measured, for the comparison of durability modes. */
    record PhaseResult(String durability, int subscribers, String phase, double completedPerSecond, Histogram submit,
                       double batonMicrosPerTask, double redisMicrosPerTask) {
    }

    private static void compare(List<PhaseResult> results) {
        System.out.println();
        System.out.println("durability modes compared (submit = POST /v1/tasks round trip, ms; CPU per completed task, µs)");
        System.out.printf("  %-11s %11s %-11s %12s %10s %10s %10s %10s%n", "durability", "subscribers", "phase",
                "completed/s", "submit p50", "submit p99", "Baton CPU", "Redis CPU");
        for (PhaseResult r : results) {
            System.out.printf("  %-11s %11d %-11s %,12.0f %10s %10s %10s %10s%n", r.durability, r.subscribers, r.phase,
                    r.completedPerSecond, ms(r.submit.getValueAtPercentile(50)), ms(r.submit.getValueAtPercentile(99)),
                    micros(r.batonMicrosPerTask), micros(r.redisMicrosPerTask));
        }
        compareSubscribers(results);
    }

    /**
     * Throughput with subscribers attached against the same durability without any: the mean of
     * every round without, so that {@code --subscribers 0,100,0} brackets the round with
     * subscribers (on two cores the JIT still speeds Baton up for minutes, which favours whichever
     * round comes later).
     */
    private static void compareSubscribers(List<PhaseResult> results) {
        for (PhaseResult with : results) {
            if (with.subscribers == 0 || !with.phase.equals("throughput")) {
                continue;
            }
            List<PhaseResult> without = results.stream().filter(r -> r.subscribers == 0 && r.phase.equals("throughput")
                    && r.durability.equals(with.durability)).toList();
            if (without.isEmpty()) {
                continue;
            }
            double rate = without.stream().mapToDouble(PhaseResult::completedPerSecond).average().orElseThrow();
            double cpu = without.stream().mapToDouble(PhaseResult::batonMicrosPerTask).average().orElseThrow();
            double change = with.completedPerSecond / rate - 1;
            System.out.printf("  %s, %d subscribers: throughput %+.1f%% against none (%s; Baton CPU per task %s → %s µs)%s%n",
                    with.durability, with.subscribers, 100 * change,
                    without.size() == 1 ? "one round without" : "mean of " + without.size() + " rounds without",
                    micros(cpu), micros(with.batonMicrosPerTask), with.subscribers == GOAL_SUBSCRIBERS
                            ? goal(change >= -SUBSCRIBER_COST_GOAL, "within " + (int) (100 * SUBSCRIBER_COST_GOAL) + " %") : "");
        }
    }

    private static String micros(double value) {
        return value < 0 ? "n/a" : String.format("%.1f", value);
    }

    private List<PhaseResult> run(String durability) throws Exception {
        System.out.printf("Baton load benchmark (durability %s): %s, %d agents, warm-up %s, window %s, %d cores, Baton pid %s, redis pid %s%n",
                durability, baton.url, options.agents(), seconds(options.warmup().toMillis()),
                seconds(options.duration().toMillis()), Runtime.getRuntime().availableProcessors(),
                pidText(baton.batonPid), pidText(baton.redisPid));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < options.agents(); i++) {
            String id = "bench-agent-" + i;
            register(id);
            threads.add(start("agent-" + i, () -> agent(id)));
        }
        for (int i = 0; i < options.inFlight(); i++) {
            threads.add(start("producer-" + i, this::producer));
        }
        warmUp();
        List<PhaseResult> results = new ArrayList<>();
        for (int count : options.subscribers()) {
            subscribers = SseSubscribers.attach(count, baton.url, options.token(), this::eventReceived);
            String with = count == 0 ? "" : ", " + count + " SSE subscribers";
            try {
                if (options.throughput()) {
                    results.add(phase(durability, "throughput", "throughput: producer as fast as it can (" + options.inFlight()
                            + " submits in flight, backlog <= " + options.maxBacklog() + ")" + with, 0));
                }
                if (options.fixedRate()) {
                    results.add(phase(durability, "fixed rate", "fixed rate: " + options.rate() + " tasks/s" + with,
                            TimeUnit.SECONDS.toNanos(1) / options.rate()));
                }
                if (count > 0) {
                    int tasksPerSecond = Math.max(1, options.eventRate() / EVENTS_PER_LIFECYCLE);
                    results.add(phase(durability, "events", "events: " + options.eventRate() + " events/s ("
                            + tasksPerSecond + " tasks/s)" + with, TimeUnit.SECONDS.toNanos(1) / tasksPerSecond));
                }
            } finally {
                subscribers.close();
            }
        }
        running = false;
        for (Thread thread : threads) {
            thread.join(CLAIM_WAIT_MILLIS + 2_000);
        }
        return results;
    }

    private void register(String id) throws IOException {
        try (HttpConnection http = new HttpConnection(baton.url, 10_000, options.token())) {
            HttpConnection.Response r = http.put("/v1/agents/" + id, "{\"capabilities\":[\"bench\"],\"max_concurrency\":1}");
            if (r.status() != 200 && r.status() != 201) {
                throw new IllegalStateException("PUT /v1/agents/" + id + " answered " + r.status() + ": " + r.body());
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // The fleet

    private void agent(String id) {
        String claimPath = "/v1/agents/" + id + "/claim?wait_ms=" + CLAIM_WAIT_MILLIS + "&max=1";
        try (HttpConnection http = new HttpConnection(baton.url, CLAIM_WAIT_MILLIS + 30_000, options.token())) {
            while (running) {
                try {
                    long sent = System.nanoTime();
                    HttpConnection.Response claim = http.post(claimPath, null);
                    long received = System.nanoTime();
                    if (claim.status() == 204) {
                        continue;
                    }
                    if (claim.status() != 200) {
                        failed("claim", claim);
                        continue;
                    }
                    String body = claim.body();
                    int tasks = JsonFields.key(body, "tasks", 0);
                    String taskId = JsonFields.string(body, "id", tasks);
                    if (taskId == null) {
                        continue; // an empty list: the wait ended without work
                    }
                    String leaseId = JsonFields.string(body, "lease_id", tasks);
                    long stamp = JsonFields.number(body, "sent_ns", tasks);
                    claimRoundTrip.recordValue(received - sent);
                    if (stamp > 0) {
                        dispatch.recordValue(Math.max(0, received - stamp));
                    }
                    long t0 = System.nanoTime();
                    SseSubscribers listening = subscribers;
                    if (listening != null && listening.count() > 0) {
                        completeSentAt.put(taskId, t0);
                    }
                    HttpConnection.Response done = http.post("/v1/tasks/" + taskId + "/complete",
                            "{\"lease_id\":\"" + leaseId + "\",\"result\":{}}");
                    completeRoundTrip.recordValue(System.nanoTime() - t0);
                    backlog.release();
                    if (done.status() == 200) {
                        completed.increment();
                    } else {
                        failed("complete", done);
                    }
                } catch (IOException e) {
                    if (running) {
                        failed("agent " + id, e);
                    }
                }
            }
        }
    }

    private void producer() {
        String pad = "x".repeat(PAYLOAD_BYTES - "{\"sent_ns\":1234567890123456,\"pad\":\"\"}".length());
        try (HttpConnection http = new HttpConnection(baton.url, 30_000, options.token())) {
            while (running) {
                if (!producing) {
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                long period = periodNanos;
                if (period > 0) {
                    long at = nextSendAt.getAndAdd(period);
                    long wait = at - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    } else if (wait < -period) {
                        lateSends.increment(); // every producer was busy when this send was due
                    }
                }
                if (backlog.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    submit(http, pad);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One submit, stamped with its send time; its backlog permit comes back when it is completed. */
    private void submit(HttpConnection http, String pad) {
        long stamp = System.nanoTime();
        String json = "{\"type\":\"bench\",\"priority\":\"MEDIUM\",\"payload\":{\"sent_ns\":" + stamp
                + ",\"pad\":\"" + pad + "\"}}";
        try {
            HttpConnection.Response r = http.post("/v1/tasks", json);
            submitRoundTrip.recordValue(System.nanoTime() - stamp);
            if (r.status() == 201) {
                submitted.increment();
                return;
            }
            backlog.release();
            if (r.status() == 429) {
                rejected.increment();
                LockSupport.parkNanos(10_000_000);
            } else {
                failed("submit", r);
            }
        } catch (IOException e) {
            backlog.release();
            failed("submit", e);
        }
    }

    /** A subscriber read a task.completed: its delay since the complete was sent. */
    private void eventReceived(String taskId, long receivedNanos) {
        Long sent = completeSentAt.get(taskId);
        if (sent != null) {
            eventDelivery.recordValue(Math.max(0, receivedNanos - sent));
        }
    }

    private void failed(String what, Object why) {
        errors.increment();
        if (errorsShown.incrementAndGet() <= 5) {
            System.err.println("bench: " + what + " failed: " + why);
        }
        LockSupport.parkNanos(50_000_000);
    }

    // ---------------------------------------------------------------------------------------
    // Phases

    private PhaseResult phase(String durability, String name, String title, long period) throws InterruptedException {
        periodNanos = period;
        nextSendAt.set(System.nanoTime());
        producing = true;
        Thread.sleep(options.warmup().toMillis());
        Snapshot start = snapshot();
        intervals(); // drop what the warm-up recorded
        HeapSampler heap = new HeapSampler(baton.url);
        Thread sampler = start("heap-sampler", heap);
        Thread.sleep(options.duration().toMillis());
        Snapshot end = snapshot();
        Histogram[] h = intervals();
        heap.stop();
        sampler.join();
        producing = false;
        boolean drained = drain();
        completeSentAt.clear();
        PhaseResult result = report(durability, name, title, period > 0, start, end, h, heap);
        if (!drained) {
            System.out.printf("  warning: %,d tasks still not completed after the drain%n", submitted.sum() - completed.sum());
        }
        return result;
    }

    /**
     * Full load for three warm-up periods, measured by nothing, before the first phase: on two
     * cores the JIT of a fresh Baton is busy for most of a minute, and the phase that comes first
     * should not pay for it when the rounds with and without subscribers are compared.
     */
    private void warmUp() throws InterruptedException {
        periodNanos = 0;
        producing = true;
        Thread.sleep(3 * options.warmup().toMillis());
        producing = false;
        drain();
        intervals();
    }

    /** Waits until every submitted task is completed; false if that takes more than two minutes. */
    private boolean drain() throws InterruptedException {
        long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MILLIS;
        while (completed.sum() < submitted.sum() - errors.sum()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private Histogram[] intervals() {
        return new Histogram[] {claimRoundTrip.getIntervalHistogram(), dispatch.getIntervalHistogram(),
                submitRoundTrip.getIntervalHistogram(), completeRoundTrip.getIntervalHistogram(),
                eventDelivery.getIntervalHistogram()};
    }

    private record Snapshot(long nanos, long submitted, long completed, long rejected, long errors, long late,
                            long batonCpu, long redisCpu, long selfCpu, long machineCpu, long events, int cutOff) {
    }

    private Snapshot snapshot() {
        return new Snapshot(System.nanoTime(), submitted.sum(), completed.sum(), rejected.sum(), errors.sum(),
                lateSends.sum(), ProcessCpu.cpuNanos(baton.batonPid), ProcessCpu.cpuNanos(baton.redisPid),
                ProcessCpu.selfCpuNanos(), ProcessCpu.machineBusyNanos(), subscribers.events(), subscribers.cutOff());
    }

    private PhaseResult report(String durability, String name, String title, boolean fixedRate, Snapshot a, Snapshot b, Histogram[] h, HeapSampler heap) {
        double window = (b.nanos - a.nanos) / 1e9;
        long done = b.completed - a.completed;
        System.out.println();
        System.out.println(title);
        System.out.printf("  lifecycle throughput    %,.0f tasks/s completed (%,d in %.1f s); submitted %,.0f/s%n",
                done / window, done, window, (b.submitted - a.submitted) / window);
        if (!fixedRate) {
            System.out.println("  claim round-trip        " + percentiles(h[0]));
        }
        System.out.println("  dispatch latency        " + percentiles(h[1])
                + (fixedRate ? "" : "  (queueing, not dispatch: the producer runs ahead)"));
        System.out.println("  submit round-trip       " + percentiles(h[2]));
        System.out.println("  complete round-trip     " + percentiles(h[3]));
        int subscriberCount = subscribers.count();
        if (subscriberCount > 0) {
            System.out.printf("  events delivered        %,.0f/s per subscriber (%,.1f per completed task); %d subscribers, %d cut off%n",
                    (b.events - a.events) / window / subscriberCount, done == 0 ? 0.0 : (b.events - a.events) / (double) subscriberCount / done,
                    subscriberCount, b.cutOff);
            System.out.println("  event delivery          " + percentiles(h[4]) + "  (complete sent → task.completed read, every subscriber)");
        }
        double batonCpu = cpuSeconds(a.batonCpu, b.batonCpu);
        double redis = cpuSeconds(a.redisCpu, b.redisCpu);
        double self = (b.selfCpu - a.selfCpu) / 1e9;
        double machine = cpuSeconds(a.machineCpu, b.machineCpu);
        double others = machine < 0 ? -1 : Math.max(0, machine - Math.max(0, batonCpu) - Math.max(0, redis) - self);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("  CPU in window (s)       Baton %s, Redis %s, generator %.2f, everything else %s (of %.1f core-s on %d cores)%n",
                cpuText(batonCpu), cpuText(redis), self, cpuText(others), window * cores, cores);
        if (others > OTHERS_WARNING_SHARE * window * cores) {
            System.out.printf("  warning: other processes took %.0f%% of the machine in this window; these figures are not clean%n",
                    100 * others / (window * cores));
        }
        if (batonCpu >= 0 && done > 0) {
            double perTask = batonCpu * 1e6 / done;
            System.out.printf("  Baton CPU per completed %.1f µs (Redis %s)%s%n", perTask,
                    redis >= 0 ? String.format("%.1f µs", redis * 1e6 / done) : "n/a",
                    fixedRate ? "" : goal(perTask <= CPU_PER_TASK_GOAL_MICROS, "<= " + CPU_PER_TASK_GOAL_MICROS + " µs"));
        }
        System.out.printf("  Baton heap              %s%n", heap.summary(baton.batonPid));
        System.out.printf("  refused (429) %,d, errors %,d%s%n", b.rejected - a.rejected, b.errors - a.errors,
                fixedRate ? String.format(", late sends %,d", b.late - a.late) : "");
        if (fixedRate) {
            double p99 = h[1].getValueAtPercentile(99) / 1e6;
            String goal = options.rate() == GOAL_RATE ? "" : " (goal is set at " + GOAL_RATE + " tasks/s)";
            if (!name.equals("events")) {
                System.out.printf("  dispatch p99 %.2f ms%s%s%n", p99,
                        goal(p99 < DISPATCH_P99_GOAL_MILLIS, "< " + (int) DISPATCH_P99_GOAL_MILLIS + " ms"), goal);
            }
        }
        if (name.equals("events")) {
            double p99 = h[4].getValueAtPercentile(99) / 1e6;
            String goal = options.eventRate() == GOAL_RATE && subscriberCount == GOAL_SUBSCRIBERS ? ""
                    : " (goal is set at " + GOAL_RATE + " events/s, " + GOAL_SUBSCRIBERS + " subscribers)";
            System.out.printf("  event delivery p99 %.2f ms%s%s%n", p99,
                    goal(h[4].getTotalCount() > 0 && p99 < EVENT_P99_GOAL_MILLIS, "< " + (int) EVENT_P99_GOAL_MILLIS + " ms"), goal);
        }
        return new PhaseResult(durability, subscriberCount, name, done / window, h[2],
                batonCpu >= 0 && done > 0 ? batonCpu * 1e6 / done : -1, redis >= 0 && done > 0 ? redis * 1e6 / done : -1);
    }

    static String goal(boolean met, String what) {
        return "   goal " + what + ": " + (met ? "MET" : "MISSED");
    }

    static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return String.format("p50 %s  p99 %s  p99.9 %s  max %s ms  (n=%,d)", ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount());
    }

    private static String ms(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }

    private static double cpuSeconds(long before, long after) {
        return before < 0 || after < 0 ? -1 : (after - before) / 1e9;
    }

    private static String cpuText(double seconds) {
        return seconds < 0 ? "n/a" : String.format("%.2f", seconds);
    }

    private static String seconds(long millis) {
        return String.format("%.1f s", millis / 1e3);
    }

    private static String pidText(long pid) {
        return pid > 0 ? Long.toString(pid) : "unknown";
    }

    private static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, "bench-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
