package dev.baton.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * An agent's loop: claims work for the task types it has handlers for, runs each task on a thread of
 * its own pool, heartbeats the leases, and drains on {@link #close()}.
 *
 * <pre>{@code
 * try (Worker worker = Worker.builder(client, "coder-1").concurrency(2)
 *         .handler("coding", Job.class, (job, ctx) -> new Pr(42)).start()) { ... }
 * }</pre>
 *
 * <p>Implementation note. Threads: one claimer (a long-poll claim asking for as many tasks as there
 * are free slots: with work running it waits until a quarter of the slots are free, so that short
 * tasks come several per request), one heartbeat scheduler, and a fixed pool of {@code concurrency}
 * handler threads. A lease is first heartbeated a third of its length after the claim, then every
 * third, so a task shorter than that costs only its share of a claim and a complete. A 409 or 404 on
 * a heartbeat means the server gave up on this run (lease expired, task cancelled or handed to
 * another agent): the run is abandoned, its handler told through {@link TaskContext#isCancelled()},
 * and its outcome not written; a 409 on complete or fail is logged the same way. {@link #close()}
 * stops claiming (interrupting the long-poll), waits up to the grace period for running handlers,
 * fails what is left as retryable (interrupting those handlers), and if it cut a long-poll (which
 * Baton keeps parked) or a claim was answered while being cut, leaves as an agent, so that the
 * server ends the parked claim and takes such tasks back at once: nothing stays RUNNING. The running set and each run's {@code lost}/{@code finishing} flags are
 * guarded by {@link #lock}; a run is written by whichever of its handler or {@code close()} marks it
 * first.
 */
public final class Worker implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Worker.class.getName());
    private static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(100);
    private static final Duration MAX_CLAIM_BACKOFF = Duration.ofSeconds(10);
    /** How long close() waits on top of the grace period for outcomes being written and the claimer to end. */
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(5);

    private final BatonClient client;
    private final String agentId;
    private final List<String> capabilities;
    private final Map<String, String> labels;
    private final int concurrency;
    private final int claimBatch;
    private final int claimMax;
    private final Duration claimWait;
    private final Duration grace;
    private final Map<String, Registered<?, ?>> handlers;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, TaskContext> running = new LinkedHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile boolean claimInFlight;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ExecutorService handlerPool;
    private final ScheduledExecutorService heartbeater;
    private final Thread claimer;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong heartbeats = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();

    private record Registered<I, O>(Class<I> input, TaskHandler<I, O> handler) {
    }

    private Worker(Builder b) {
        this.client = b.client;
        this.agentId = b.agentId;
        this.handlers = Map.copyOf(b.handlers);
        this.capabilities = b.capabilities.isEmpty() ? List.copyOf(b.handlers.keySet()) : List.copyOf(b.capabilities);
        this.labels = b.labels;
        this.concurrency = b.concurrency;
        this.claimBatch = Math.max(1, concurrency / 4);
        this.claimMax = b.claimMax;
        this.claimWait = b.claimWait;
        this.grace = b.grace;
        this.handlerPool = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.named("baton-task-" + agentId));
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("baton-heartbeat-" + agentId));
        scheduler.setRemoveOnCancelPolicy(true);
        this.heartbeater = scheduler;
        this.claimer = DaemonThreads.named("baton-claimer-" + agentId).newThread(this::claimLoop);
    }

    public static Builder builder(BatonClient client, String agentId) {
        return new Builder(client, agentId);
    }

    /** Configures a {@link Worker}: its handlers, slots, long-poll and grace period. */
    public static final class Builder {
        private final BatonClient client;
        private final String agentId;
        private final Map<String, Registered<?, ?>> handlers = new LinkedHashMap<>();
        private final Set<String> capabilities = new LinkedHashSet<>();
        private Map<String, String> labels;
        private int concurrency = 1;
        private int claimMax = 100;
        private Duration claimWait = Duration.ofSeconds(20);
        private Duration grace = Duration.ofSeconds(10);

        private Builder(BatonClient client, String agentId) {
            this.client = client;
            this.agentId = agentId;
        }

        /**
         * Runs tasks of {@code type} with {@code handler}, its payload read as {@code input} (a record,
         * a class, {@code JsonNode.class}, {@code Map.class}); a payload that does not fit fails the task
         * for good.
         */
        public <I, O> Builder handler(String type, Class<I> input, TaskHandler<I, O> handler) {
            handlers.put(type, new Registered<>(input, handler));
            return this;
        }

        /** What the agent registers as able to do; by default the handlers' task types. */
        public Builder capabilities(String... capabilities) {
            this.capabilities.addAll(List.of(capabilities));
            return this;
        }

        public Builder labels(Map<String, String> labels) {
            this.labels = Map.copyOf(labels);
            return this;
        }

        /** How many tasks run at once (the agent's {@code max_concurrency}); 1 by default. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency: at least 1, got " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** The most tasks one claim asks for: the server's {@code baton.claim-max-tasks} (100 by default). */
        public Builder claimMax(int claimMax) {
            this.claimMax = claimMax;
            return this;
        }

        /** How long one claim long-polls (at most the server's {@code baton.claim-max-wait}); 20 s by default. */
        public Builder claimWait(Duration claimWait) {
            this.claimWait = claimWait;
            return this;
        }

        /** How long {@link Worker#close()} lets running handlers finish before failing them; 10 s by default. */
        public Builder grace(Duration grace) {
            this.grace = grace;
            return this;
        }

        public Worker build() {
            if (handlers.isEmpty()) {
                throw new IllegalStateException("a worker needs at least one handler");
            }
            return new Worker(this);
        }

        /** {@code build().start()}. */
        public Worker start() {
            return build().start();
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    /** Registers the agent and starts claiming. */
    public Worker start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("worker " + agentId + " already started");
        }
        register();
        claimer.start();
        return this;
    }

    /**
     * Starts, then blocks until the JVM is asked to stop (SIGTERM, SIGINT) or {@link #close()} is
     * called elsewhere; on SIGTERM the drain runs in a shutdown hook before the JVM exits.
     */
    public void run() throws InterruptedException {
        Thread hook = new Thread(this::close, "baton-worker-shutdown-" + agentId);
        Runtime.getRuntime().addShutdownHook(hook);
        start();
        stopped.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is what stopped us
        }
    }

    /**
     * Stops claiming, gives running handlers the grace period, fails what is left as retryable and
     * waits until nothing of this worker is RUNNING on the server. Safe to call twice.
     */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            drain();
        } finally {
            stopped.countDown();
        }
    }

    /** The same as {@link #close()}. */
    public void stop() {
        close();
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain() {
        // An interrupt of the closing thread cuts the grace period short, but the drain still runs
        // (its calls would fail at once with the flag set); the flag is restored at the end.
        boolean interrupted = false;
        boolean claimCut = claimInFlight;
        claimer.interrupt();
        List<TaskContext> left = new ArrayList<>();
        long deadline = System.nanoTime() + grace.toNanos();
        lock.lock();
        try {
            while (!running.isEmpty() && deadline - System.nanoTime() > 0 && !interrupted) {
                try {
                    changed.awaitNanos(deadline - System.nanoTime());
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            for (TaskContext ctx : running.values()) {
                if (!ctx.finishing) {
                    ctx.lost = true;
                    ctx.cancel();
                    left.add(ctx);
                }
            }
        } finally {
            lock.unlock();
        }
        handlerPool.shutdownNow(); // interrupts the handlers given up on; their outcome is no longer written
        for (TaskContext ctx : left) {
            try {
                client.fail(ctx.taskId(), ctx.leaseId(), "worker stopped before the task finished", true);
                LOG.log(System.Logger.Level.INFO, "task {0} failed as retryable: the worker stopped", ctx.taskId());
            } catch (BatonException e) {
                LOG.log(System.Logger.Level.INFO, "task {0} left to the server at stop: {1}", ctx.taskId(), e.getMessage());
            }
            forget(ctx);
        }
        try {
            handlerPool.awaitTermination(grace.toMillis() + FINISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            heartbeater.shutdownNow();
            claimer.join(FINISH_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            interrupted = true;
            heartbeater.shutdownNow();
        }
        releaseStrays(claimCut || claimInFlight);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A long-poll cut by close() stays parked on the server (Baton does not notice the closed
     * connection), and a claim answered while it was being cut leaves tasks assigned to this agent
     * under leases nobody knows: in either case the worker leaves as an agent, which ends the parked
     * claim and hands such tasks back at once instead of when their leases expire.
     */
    private void releaseStrays(boolean claimCut) {
        if (!started.get()) {
            return;
        }
        try {
            long strays = Stream.of(TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)
                    .flatMap(s -> client.tasks(TaskQuery.all().status(s).agent(agentId)))
                    .count();
            if (strays > 0 || claimCut) {
                LOG.log(System.Logger.Level.INFO, "leaving as agent {0}: {1} task(s) assigned during stop, claim cut: {2}",
                        agentId, strays, claimCut);
                client.removeAgent(agentId);
            }
        } catch (BatonException e) {
            LOG.log(System.Logger.Level.WARNING, "could not check for tasks left assigned: {0}", e.getMessage());
        }
    }

    // ---- claiming ----------------------------------------------------------------------------------

    private void claimLoop() {
        Duration backoff = Duration.ofMillis(500);
        while (!stopping.get()) {
            int free;
            lock.lock();
            try {
                while (!running.isEmpty() && concurrency - running.size() < claimBatch && !stopping.get()) {
                    changed.await(500, TimeUnit.MILLISECONDS);
                }
                free = concurrency - running.size();
            } catch (InterruptedException e) {
                break;
            } finally {
                lock.unlock();
            }
            if (stopping.get()) {
                break;
            }
            List<ClaimedTask> claimed;
            try {
                claimInFlight = true;
                claimed = client.claim(agentId, claimWait, Math.min(free, claimMax));
                backoff = Duration.ofMillis(500);
            } catch (BatonException e) {
                if (stopping.get()) {
                    break;
                }
                claimInFlight = false;
                if (e.status() == 404 && reregister()) {
                    continue;
                }
                LOG.log(System.Logger.Level.WARNING, "claim failed: {0}", e.getMessage());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    break;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_CLAIM_BACKOFF) > 0 ? MAX_CLAIM_BACKOFF : backoff.multipliedBy(2);
                continue;
            }
            claimInFlight = false;
            claimed.forEach(this::launch);
        }
    }

    private void register() {
        client.registerAgent(agentId, capabilities, concurrency, labels);
    }

    /** The server forgot the agent (it left, or was lost and removed): register it again. */
    private boolean reregister() {
        try {
            register();
            LOG.log(System.Logger.Level.INFO, "agent {0} was unknown to Baton: registered again", agentId);
            return true;
        } catch (BatonException e) {
            return false;
        }
    }

    private void launch(ClaimedTask claimed) {
        Instant expires = claimed.task().leaseExpiresAt();
        Duration lease = expires == null ? Duration.ofSeconds(30) : Duration.between(Instant.now(), expires);
        Duration interval = lease.dividedBy(3);
        if (interval.compareTo(MIN_HEARTBEAT_INTERVAL) < 0) {
            interval = MIN_HEARTBEAT_INTERVAL;
        }
        TaskContext ctx = new TaskContext(this, claimed, interval);
        lock.lock();
        try {
            running.put(ctx.taskId(), ctx);
        } finally {
            lock.unlock();
        }
        scheduleBeat(ctx, interval);
        try {
            handlerPool.execute(() -> runTask(ctx));
        } catch (RejectedExecutionException e) { // stopping: close() fails it as retryable, or the lease runs out
            LOG.log(System.Logger.Level.INFO, "task {0} not started: the worker is stopping", ctx.taskId());
        }
    }

    // ---- running -----------------------------------------------------------------------------------

    private void runTask(TaskContext ctx) {
        Registered<?, ?> registered = handlers.get(ctx.task().type());
        Object result = null;
        String error = null;
        boolean retryable = true;
        try {
            if (registered == null) {
                throw new NonRetryableException("no handler for task type " + ctx.task().type());
            }
            result = resultOf(invoke(registered, ctx));
        } catch (NonRetryableException e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            retryable = false;
        } catch (Exception | LinkageError | AssertionError e) { // a handler's failure is the task's failure
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            LOG.log(System.Logger.Level.DEBUG, "task " + ctx.taskId() + " failed", e);
        }
        finish(ctx, result, error, retryable);
    }

    /** The handler's answer as JSON, here, so that one Jackson cannot write fails the task instead of the worker. */
    private JsonNode resultOf(Object answer) {
        try {
            return client.toJson(answer);
        } catch (IllegalArgumentException e) {
            throw new NonRetryableException("the result is not JSON: " + e.getMessage(), e);
        }
    }

    private <I, O> O invoke(Registered<I, O> registered, TaskContext ctx) throws Exception {
        JsonNode payload = ctx.payload();
        I input;
        try {
            input = client.convert(payload == null ? NullNode.getInstance() : payload, registered.input());
        } catch (IllegalArgumentException e) {
            throw new NonRetryableException("payload does not fit " + registered.input().getSimpleName() + ": " + e.getMessage(), e);
        }
        return registered.handler().handle(input, ctx);
    }

    private void finish(TaskContext ctx, Object result, String error, boolean retryable) {
        lock.lock();
        try {
            if (ctx.lost || !running.containsKey(ctx.taskId())) {
                LOG.log(System.Logger.Level.INFO, "task {0}: run abandoned (lease lost, cancelled or stopped); nothing written",
                        ctx.taskId());
                forgetLocked(ctx);
                return;
            }
            ctx.finishing = true;
        } finally {
            lock.unlock();
        }
        try {
            if (error == null) {
                client.complete(ctx.taskId(), ctx.leaseId(), result);
                completed.incrementAndGet();
            } else {
                client.fail(ctx.taskId(), ctx.leaseId(), error, retryable);
                failed.incrementAndGet();
            }
        } catch (BatonException e) {
            if (e.status() == 409 || e.status() == 404) {
                LOG.log(System.Logger.Level.INFO, "task {0}: {1}; run abandoned", ctx.taskId(), e.getMessage());
            } else {
                LOG.log(System.Logger.Level.WARNING, "task {0}: could not report the outcome: {1}", ctx.taskId(), e.getMessage());
            }
        } finally {
            forget(ctx);
        }
    }

    private void forget(TaskContext ctx) {
        lock.lock();
        try {
            forgetLocked(ctx);
        } finally {
            lock.unlock();
        }
    }

    private void forgetLocked(TaskContext ctx) {
        running.remove(ctx.taskId(), ctx);
        synchronized (ctx) {
            if (ctx.nextBeat != null) {
                ctx.nextBeat.cancel(false);
            }
        }
        changed.signalAll();
    }

    // ---- heartbeats --------------------------------------------------------------------------------

    private void scheduleBeat(TaskContext ctx, Duration delay) {
        synchronized (ctx) {
            try {
                ctx.nextBeat = heartbeater.schedule(() -> beat(ctx), delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                ctx.nextBeat = null; // stopped
            }
        }
    }

    /** A progress report brings the next heartbeat forward, to at most one per {@link TaskContext#MIN_PROGRESS_GAP}. */
    void progressReported(TaskContext ctx) {
        synchronized (ctx) {
            long earliest = Math.max(0, ctx.lastBeatNanos + TaskContext.MIN_PROGRESS_GAP.toNanos() - System.nanoTime());
            if (ctx.nextBeat != null && ctx.nextBeat.getDelay(TimeUnit.NANOSECONDS) > earliest && ctx.nextBeat.cancel(false)) {
                scheduleBeat(ctx, Duration.ofNanos(earliest));
            }
        }
    }

    private void beat(TaskContext ctx) {
        lock.lock();
        try {
            if (ctx.lost || !running.containsKey(ctx.taskId())) {
                return;
            }
        } finally {
            lock.unlock();
        }
        TaskContext.Progress progress = ctx.takeProgress();
        synchronized (ctx) {
            ctx.lastBeatNanos = System.nanoTime();
        }
        heartbeats.incrementAndGet();
        try {
            HeartbeatAnswer answer = client.heartbeat(ctx.taskId(), ctx.leaseId(), progress.percent(), progress.message());
            if (answer.cancelRequested()) {
                LOG.log(System.Logger.Level.INFO, "task {0} was cancelled", ctx.taskId());
                abandon(ctx);
                return;
            }
        } catch (BatonException e) {
            if (e.status() == 409 || e.status() == 404) {
                LOG.log(System.Logger.Level.INFO, "task {0}: {1}; abandoning the run", ctx.taskId(), e.getMessage());
                abandon(ctx);
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "task {0}: heartbeat failed: {1}", ctx.taskId(), e.getMessage());
        }
        scheduleBeat(ctx, ctx.heartbeatInterval);
    }

    private void abandon(TaskContext ctx) {
        lock.lock();
        try {
            if (!ctx.lost) {
                abandoned.incrementAndGet();
            }
            ctx.lost = true;
            ctx.cancel();
        } finally {
            lock.unlock();
        }
    }

    // ---- figures -----------------------------------------------------------------------------------

    public String agentId() {
        return agentId;
    }

    /** Tasks this worker completed. */
    public long completed() {
        return completed.get();
    }

    /** Tasks this worker reported failed (not counting those given up at stop). */
    public long failed() {
        return failed.get();
    }

    /** Runs given up because the server took the task back: cancelled, or the lease lost. */
    public long abandoned() {
        return abandoned.get();
    }

    /** Heartbeats sent. */
    public long heartbeats() {
        return heartbeats.get();
    }

    /** Runs in progress now. */
    public int running() {
        lock.lock();
        try {
            return running.size();
        } finally {
            lock.unlock();
        }
    }
}
