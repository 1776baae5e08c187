package dev.baton.crash;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.baton.crash.History.Kind;
import dev.baton.crash.History.Op;
import dev.baton.crash.History.Outcome;

/**
 * Client threads that keep Baton busy while a test breaks it, recording every call in a
 * {@link History}: producers submit, one time in {@value #BATCH_ONE_IN} a batch whose members
 * depend on its first (ids chosen here, so a submit whose answer was lost is sent again with the
 * same body: idempotent), and now and then cancel one of their tasks; agents claim and complete at
 * once, or one time in {@value #FAIL_ONE_IN} fail for good, and then half the time retry the dead
 * letter. A worker whose call gets no answer waits at the {@link #gate()} the test
 * closes while Baton is down, so nobody spins against a dead port. Randomness is seeded.
 *
 * <p>Also the end game: {@link #drain} claims and completes whatever is left, and
 * {@link #verify} reads every task the history mentions and runs the {@link QueueChecker}.
 */
public final class Workload {

    static final int SUBMIT_RETRIES = 3;
    static final int CANCEL_ONE_IN = 10;
    static final int BATCH_ONE_IN = 10;
    static final int BATCH_SIZE = 3;
    static final int FAIL_ONE_IN = 8;
    static final int RETRY_ONE_IN = 2;
    static final int CLAIM_MAX = 2;
    static final long CLAIM_WAIT_MILLIS = 100;
    static final int DRAIN_CLAIM_MAX = 50;
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

    private final BatonClient client;
    private final History history;
    private final String type;
    private final long seed;
    private final Gate gate = new Gate();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public Workload(BatonClient client, History history, String type, long seed) {
        this.client = client;
        this.history = history;
        this.type = type;
        this.seed = seed;
    }

    /** Starts {@code producers} submitting threads and {@code agents} claiming threads. */
    public void start(int producers, int agents) {
        running = true;
        for (int i = 0; i < producers; i++) {
            int n = i;
            threads.add(started(new Thread(() -> produce(n), "producer-" + n)));
        }
        for (int i = 0; i < agents; i++) {
            int n = i;
            threads.add(started(new Thread(() -> work(n), "agent-" + n)));
        }
    }

    private static Thread started(Thread thread) {
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Closed by the test while Baton is down, open otherwise. */
    public Gate gate() {
        return gate;
    }

    /** Stops the workers after their current call and waits for them. */
    public void stop() throws InterruptedException {
        running = false;
        gate.open();
        for (Thread thread : threads) {
            thread.join(JOIN_TIMEOUT.toMillis());
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not stop within " + JOIN_TIMEOUT);
            }
        }
        threads.clear();
    }

    private void produce(int n) {
        Random random = new Random(seed * 1_000 + n);
        String process = "producer-" + n;
        List<String> mine = new ArrayList<>();
        long next = 0;
        List<String> resend = List.of();
        int resends = 0;
        while (running) {
            if (resend.isEmpty() && !mine.isEmpty() && random.nextInt(CANCEL_ONE_IN) == 0) {
                String victim = mine.get(random.nextInt(mine.size()));
                call(process, Kind.CANCEL, victim, null, () -> client.cancel(victim));
                continue;
            }
            List<String> ids = new ArrayList<>(resend);
            if (ids.isEmpty()) {
                int size = random.nextInt(BATCH_ONE_IN) == 0 ? BATCH_SIZE : 1;
                for (int i = 0; i < size; i++) {
                    ids.add("t" + seed + "-p" + n + "-" + next++);
                }
            }
            Outcome outcome = ids.size() == 1 ? submit(process, ids.get(0)) : submitBatch(process, ids);
            if (outcome == Outcome.UNKNOWN && resends < SUBMIT_RETRIES) {
                resend = ids;
                resends++;
            } else {
                resend = List.of();
                resends = 0;
                if (outcome == Outcome.OK) {
                    mine.addAll(ids);
                }
            }
        }
    }

    private Outcome submit(String process, String id) {
        return call(process, Kind.SUBMIT, id, null, () -> client.submit(id, type, Map.of("id", id))).outcome();
    }

    /** A batch whose later members depend on the first (by ref); recorded as one SUBMIT per member. */
    private Outcome submitBatch(String process, List<String> ids) {
        List<Map<String, ?>> members = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            members.add(i == 0 ? Map.of("ref", "r0", "id", id, "type", type, "payload", Map.of("id", id))
                    : Map.of("ref", "r" + i, "id", id, "type", type, "payload", Map.of("id", id), "depends_on", List.of("r0")));
        }
        List<History.Call> calls = ids.stream().map(id -> history.invoke(process, Kind.SUBMIT, id, null)).toList();
        return answer(calls, () -> client.batch(members)).get(0).outcome();
    }

    private void work(int n) {
        Random random = new Random(seed * 1_000 + 500 + n);
        String process = "agent-" + n;
        String agent = "agent-" + seed + "-" + n;
        boolean registered = false;
        while (running) {
            if (!registered) {
                registered = register(agent, 1);
                continue;
            }
            Op claim = call(process, Kind.CLAIM, null, null, () -> client.claim(agent, CLAIM_MAX, CLAIM_WAIT_MILLIS));
            if (claim.status() == 404) {
                registered = false; // a restarted Baton may not know us (yet)
            }
            for (BatonClient.Lease lease : claim.claimed()) {
                if (random.nextInt(FAIL_ONE_IN) != 0) {
                    call(process, Kind.COMPLETE, lease.taskId(), lease.leaseId(), () -> client.complete(lease));
                    continue;
                }
                Op fail = call(process, Kind.FAIL, lease.taskId(), lease.leaseId(), () -> client.fail(lease, "crash test", false));
                if (fail.outcome() == Outcome.OK && random.nextInt(RETRY_ONE_IN) == 0) {
                    call(process, Kind.RETRY, lease.taskId(), null, () -> client.retry(lease.taskId()));
                }
            }
        }
    }

    private boolean register(String agent, int slots) {
        try {
            if (client.registerAgent(agent, List.of(type), slots).ok()) {
                return true;
            }
        } catch (IOException e) {
            // Baton is down: wait below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        }
        gate.awaitOpen();
        return false;
    }

    /** Makes one call, records it, and waits at the gate when it got no definite answer. */
    private Op call(String process, Kind kind, String taskId, String leaseId, Request request) {
        return answer(List.of(history.invoke(process, kind, taskId, leaseId)), request).get(0);
    }

    /** Sends one request for calls already invoked, records its answer for each of them. */
    private List<Op> answer(List<History.Call> calls, Request request) {
        List<Op> ops;
        try {
            BatonClient.Reply reply = request.send();
            ops = calls.stream().map(call -> call.answered(reply)).toList();
        } catch (IOException e) {
            ops = calls.stream().map(History.Call::unanswered).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return calls.stream().map(History.Call::unanswered).toList();
        }
        if (ops.get(0).outcome() == Outcome.UNKNOWN) {
            gate.awaitOpen();
        }
        return ops;
    }

    /**
     * Claims and completes (recorded as process "drain") until Baton holds no pending, running,
     * waiting or scheduled task: leases left by a crash must run out first, so Baton should be
     * started with a short {@code baton.lease-ttl}.
     */
    public static void drain(BatonClient client, History history, String type) throws IOException, InterruptedException {
        String agent = "drain-" + type;
        if (!client.registerAgent(agent, List.of(type), DRAIN_CLAIM_MAX).ok()) {
            throw new IllegalStateException("could not register the drain agent");
        }
        await("drain").atMost(DRAIN_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
            History.Call call = history.invoke("drain", Kind.CLAIM, null, null);
            Op claim = call.answered(client.claim(agent, DRAIN_CLAIM_MAX, CLAIM_WAIT_MILLIS));
            for (BatonClient.Lease lease : claim.claimed()) {
                history.invoke("drain", Kind.COMPLETE, lease.taskId(), lease.leaseId()).answered(client.complete(lease));
            }
            JsonNode stats = client.stats().body();
            return claim.claimed().isEmpty() && stats.path("pending").asInt(-1) == 0 && stats.path("running").asInt(-1) == 0
                    && stats.path("waiting").asInt(-1) == 0 && stats.path("scheduled").asInt(-1) == 0;
        });
    }

    /**
     * Reads every task the history names, and every task Baton lists, and checks the history
     * against them.
     */
    public static QueueChecker.Result verify(BatonClient client, History history) throws IOException, InterruptedException {
        List<Op> ops = history.ops();
        Set<String> listed = new TreeSet<>();
        for (JsonNode task : client.allTasks()) {
            listed.add(task.path("id").asText());
        }
        Set<String> ids = new TreeSet<>(listed);
        for (Op op : ops) {
            if (op.taskId() != null) {
                ids.add(op.taskId());
            }
            op.claimed().forEach(lease -> ids.add(lease.taskId()));
        }
        Map<String, String> finalStatus = new HashMap<>();
        for (String id : ids) {
            BatonClient.Reply task = client.task(id);
            if (task.ok()) {
                finalStatus.put(id, task.text("status"));
            } else if (task.status() != 404) {
                throw new IOException("reading task " + id + " answered " + task.status() + ": " + task.body());
            }
        }
        return QueueChecker.check(ops, finalStatus, listed);
    }

    @FunctionalInterface
    private interface Request {
        BatonClient.Reply send() throws IOException, InterruptedException;
    }

    /** Open while Baton is up; workers without an answer wait here until the test reopens it. */
    public static final class Gate {

        private boolean open = true;

        public synchronized void close() {
            open = false;
        }

        public synchronized void open() {
            open = true;
            notifyAll();
        }

        synchronized void awaitOpen() {
            while (!open) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
