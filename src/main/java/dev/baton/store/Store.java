package dev.baton.store;

import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineState;
import dev.baton.engine.TaskRecord;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Baton's durable state in Redis (docs/redis.md), in three named loops:
 * <ul>
 *   <li><b>recovery</b> ({@code baton-recovery}, once at start): checks that Redis will not evict
 *   keys, waits for the writer lease, reads the checkpoint and replays the journal into the
 *   engine; until it is done {@link #ready()} is false and the API answers 503.</li>
 *   <li><b>journal</b> ({@link Journal}, journal mode only): group-committed event writes.</li>
 *   <li><b>checkpointer</b> ({@code baton-store}): every {@code checkpoint-interval} renews the
 *   writer lease, checks that Redis does not evict keys, compares what Redis holds (epoch, journal
 *   top, checkpoint marker) with what this Baton wrote (a Redis that came back empty or with less
 *   gets the whole state again, and a warning), and writes the changes since the last checkpoint.</li>
 * </ul>
 * Every write is fenced by the writer's epoch ({@link FencedWrites}). A Baton that learns another
 * took the writer lease steps down: it stops acknowledging, answers parked long-polls, and waits
 * as a standby to recover again once the lease lapses.
 * Stopping ({@link #stop}) closes the gate, writes the journal's backlog and a last checkpoint,
 * and releases the lease; it is safe twice or before start.
 */
public final class Store {

    private static final Logger LOG = Logger.getLogger(Store.class);
    private static final long LEASE_RETRY_MILLIS = 500;
    /** How often recovery asks a Redis that is reading its files whether it is done. */
    private static final long LOADING_POLL_MILLIS = 20;
    /** How long {@link #start} waits for Redis to read its files before recovering in the background instead. */
    private static final long LOADING_WAIT_AT_START_MILLIS = 30_000;
    /** How long a clean stop waits for a checkpoint under way, then for an append-only file rewrite. */
    private static final long STOP_WAIT_MILLIS = 60_000;

    /** Everything the store needs to know; durations in millis. */
    public record Settings(boolean journal, long checkpointIntervalMillis, long ackTimeoutMillis,
            long retentionMillis, long writerLeaseTtlMillis, String keyPrefix) {
    }

    private final Settings settings;
    private final Coordinator coordinator;
    private final StoreSink sink;
    private final Clock clock;
    private final RedisKeys keys;
    private final RedisCalls redis;
    private final Checkpointer checkpointer;
    private final FencedWrites fence;
    private final WriterLease lease;
    /** Held here to compare or rewrite what Redis holds; no journal write starts meanwhile ({@link #holdingWrites}). */
    private final ReentrantLock writes = new ReentrantLock();
    private final io.vertx.core.Vertx vertx;
    private final Object stepping = new Object();
    private volatile Journal journal;
    /** Redis pub/sub in journal mode: each journal (this one and those after a step-down) carries them. */
    private volatile JournalNotices notices;
    private final RetainedTasks retained;
    private ScheduledExecutorService loops;
    private volatile ScheduledFuture<?> tick;
    private volatile boolean ready;
    private volatile boolean stopped;
    private volatile String problem = "recovering";
    /** Why Redis does not take writes now (paused, unreachable), or null. */
    private volatile String writeProblem;
    /** Why Redis may drop keys (an evicting maxmemory-policy), or null. */
    private volatile String evictionProblem;
    /** Why the whole state must be written again (the journal found Redis behind), or null. */
    private volatile String rewriteWanted;
    private volatile Runnable onStepDown = () -> { };
    private volatile Outbox outbox;
    private volatile Supplier<Map<String, String>> keptChanged = Map::of;
    private volatile Supplier<Map<String, String>> keptAll = Map::of;
    private volatile Consumer<Map<String, String>> keptRestore = fields -> { };
    /** Kept fields a failed checkpoint did not write (checkpoint thread only); written with the next. */
    private Map<String, String> keptUnwritten = new HashMap<>();
    private volatile long lastCheckpointMillis;
    private volatile long lastMarker;
    private volatile long checkpoints;
    /** A clean stop with this many live tasks or more writes them as an image ({@link #writeImage}). */
    private volatile int imageFromTasks = Checkpointer.REWRITE_AOF_FROM_TASKS;

    /** @param vertx the journal writes on one of its event loops */
    public Store(Settings settings, Coordinator coordinator, StoreSink sink, Redis client, Clock clock, io.vertx.core.Vertx vertx) {
        this.settings = settings;
        this.vertx = vertx;
        this.coordinator = coordinator;
        this.sink = sink;
        this.clock = clock;
        this.keys = new RedisKeys(settings.keyPrefix());
        this.redis = new RedisCalls(client, Duration.ofMillis(settings.ackTimeoutMillis()));
        this.fence = new FencedWrites(redis, keys);
        this.checkpointer = new Checkpointer(redis, keys, fence, settings.retentionMillis());
        this.lease = new WriterLease(redis, keys, settings.writerLeaseTtlMillis(), fence);
        this.retained = new RetainedTasks(coordinator, checkpointer, sink, clock, settings.retentionMillis(), this::serving);
        this.outbox = new Outbox(keys, task -> null, null);
    }

    /**
     * Webhooks: every task end whose task has a callback ({@code urlFor} names it, or null for
     * none) gets a delivery in the outbox, written with the end itself, and {@code deliverer} hears
     * of it once it is there, and of every pending one at recovery. Set before {@link #start}.
     */
    public void outbox(Function<TaskRecord, String> urlFor, Outbox.Listener deliverer) {
        this.outbox = new Outbox(keys, urlFor, deliverer);
    }

    /**
     * Removes a delivery from the outbox: its receiver acknowledged it, or it was given up. Fenced:
     * a Baton that lost the writer lease removes nothing. Blocking; throws when Redis does not answer.
     */
    public void removeDelivery(String deliveryId) {
        fence.run(outbox.remove(deliveryId));
    }

    /**
     * Something kept with each checkpoint in a hash of its own (the analytics' minutes):
     * {@code changed} is asked at every checkpoint for the fields that changed since it was asked
     * last (a failed write is written again with the next), {@code all} for every field when the
     * whole state is written again, and {@code restore} is given what Redis held at recovery
     * (empty: nothing). Set before {@link #start}.
     */
    public void keepWithCheckpoint(Supplier<Map<String, String>> changed, Supplier<Map<String, String>> all,
            Consumer<Map<String, String>> restore) {
        this.keptChanged = changed;
        this.keptAll = all;
        this.keptRestore = restore;
    }

    /**
     * Journal mode: from now on each journal entry carries its events' Redis notifications
     * ({@link JournalNotices}); in checkpoint mode nothing does.
     */
    public void notifyWith(JournalNotices target) {
        notices = target;
        Journal current = journal;
        if (current != null) {
            current.notifyWith(target);
        }
    }

    /** Runs when this Baton steps down after losing the writer lease (to end event streams). */
    public void onStepDown(Runnable hook) {
        onStepDown = hook;
    }

    /**
     * Recover now when Redis answers and the writer lease is free (the usual start: the app is
     * ready when start returns); otherwise keep trying in the background, not ready meanwhile.
     */
    public synchronized void start() {
        if (loops != null) {
            return;
        }
        loops = Executors.newScheduledThreadPool(1, r -> {
            Thread thread = new Thread(r, "baton-store");
            thread.setDaemon(true);
            return thread;
        });
        try {
            if (recoverOnce(false)) {
                return;
            }
        } catch (RefusedRedisException e) {
            problem = e.getMessage();
            throw e;
        } catch (RuntimeException e) {
            problem = "recovery failed: " + e;
            LOG.warnf("recovery failed, trying again in the background: %s", e.toString());
        }
        recoverInBackground();
    }

    private void recoverInBackground() {
        Thread recovery = new Thread(this::recover, "baton-recovery");
        recovery.setDaemon(true);
        recovery.start();
    }

    private void recover() {
        while (!stopped) {
            try {
                if (recoverOnce(true)) {
                    return;
                }
            } catch (RefusedRedisException e) {
                problem = e.getMessage();
                LOG.error(e.getMessage());
                return;
            } catch (RuntimeException e) {
                problem = "recovery failed: " + e;
                LOG.warnf("recovery failed, trying again: %s", e.toString());
                sleep(LEASE_RETRY_MILLIS * 2);
            }
        }
    }

    /** False when the writer lease is taken and {@code wait} is false (or Baton is stopping). */
    private boolean recoverOnce(boolean wait) {
        if (!awaitRedisLoaded(wait ? Long.MAX_VALUE : LOADING_WAIT_AT_START_MILLIS)) {
            return false;
        }
        long started = System.nanoTime();
        checkNoEviction();
        boolean warned = false;
        while (!lease.tryAcquire()) {
            if (stopped || !wait) {
                if (!wait) {
                    problem = "another Baton (" + lease.holder() + ") holds the writer lease";
                    LOG.warnf("%s; waiting until it lapses", problem);
                }
                return false;
            }
            if (!warned) {
                problem = "another Baton (" + lease.holder() + ") holds the writer lease";
                LOG.warnf("%s; waiting until it lapses", problem);
                warned = true;
            }
            sleep(LEASE_RETRY_MILLIS);
        }
        long reading = System.nanoTime();
        Recovery.Result recovered = Recovery.read(redis, keys);
        long rebuilding = System.nanoTime();
        EngineState state = recovered.state();
        Journal fresh = settings.journal() ? new Journal(fence, outbox, recovered.journalTop(), writes, this::refused,
                settings.ackTimeoutMillis(), vertx) : null;
        sink.reset();
        sink.deliveriesFor(settings.journal() ? null : outbox);
        if (fresh != null) {
            sink.journalTo(fresh);
            fresh.markWritten(state.seq());
        }
        journal = fresh;
        if (fresh != null) {
            fresh.notifyWith(notices); // after journal is set: notifyWith sets notices, then reads journal
        }
        coordinator.restore(state, clock.millis());
        long rebuilt = System.nanoTime();
        keptRestore.accept(checkpointer.analytics());
        outbox.recovered(redis);
        sink.markDirty(recovered.replayed(), state.seq());
        lastMarker = recovered.marker();
        checkpointer.recovered(recovered.imageTasks(), recovered.hashFields(), recovered.emptyFields());
        if (lease.epoch() == 1) {
            // Redis held no epoch: it is new, or lost everything (or a Baton before fencing wrote it)
            if (!state.tasks().isEmpty() || !state.agents().isEmpty() || !state.types().isEmpty()
                    || !state.schedules().isEmpty() || !state.limits().isEmpty()) {
                LOG.warn("Redis holds Baton's state but no writer epoch; writing the whole state again");
            }
            rewrite(null);
        }
        if (fresh != null) {
            fresh.start();
        }
        long every = Math.max(1, settings.checkpointIntervalMillis());
        tick = loops.scheduleWithFixedDelay(this::checkpointLoop, every, every, TimeUnit.MILLISECONDS);
        problem = null;
        writeProblem = null;
        rewriteWanted = null;
        ready = true;
        LOG.infof("recovered %d tasks and %d agents (%d tasks from the checkpoint, %d journal events replayed) in %d ms "
                + "(reading and decoding %d ms, rebuilding the engine %d ms); %s mode, writer epoch %d",
                state.tasks().size(), state.agents().size(), recovered.fromCheckpoint(), recovered.journalEvents(),
                (System.nanoTime() - started) / 1_000_000, (rebuilding - reading) / 1_000_000,
                (rebuilt - rebuilding) / 1_000_000, settings.journal() ? "journal" : "checkpoint", lease.epoch());
        return true;
    }

    /**
     * Waits while Redis reads its files at its own start (it answers {@code LOADING} to most commands
     * then, as after a clean stop of the embedded Redis with a large state), asking every
     * {@value #LOADING_POLL_MILLIS} ms: recovery begins as soon as the data is there, and a load is
     * neither a failure nor a warning. False when it still loads after {@code maxMillis}, or Baton is
     * stopping.
     */
    private boolean awaitRedisLoaded(long maxMillis) {
        long started = System.nanoTime();
        boolean said = false;
        while (true) {
            try {
                redis.send(Request.cmd(Command.PING));
                if (said) {
                    LOG.infof("Redis has read its files (%d ms): recovering", (System.nanoTime() - started) / 1_000_000);
                }
                return true;
            } catch (RuntimeException e) {
                if (!isLoading(e)) {
                    throw e;
                }
            }
            if (!said) {
                problem = "Redis is reading its files (LOADING); recovery starts when it is done";
                LOG.info(problem);
                said = true;
            }
            if (stopped || (System.nanoTime() - started) / 1_000_000 >= maxMillis) {
                return false;
            }
            sleep(LOADING_POLL_MILLIS);
        }
    }

    /** Whether {@code failure} is Redis's answer while it reads its files. */
    static boolean isLoading(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (Resp.isLoading(cause.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private void checkNoEviction() {
        String refusal = evictionPolicyProblem();
        if (refusal != null) {
            throw new RefusedRedisException(refusal + "; refusing to run");
        }
    }

    /** Why Redis's maxmemory-policy may drop acknowledged tasks, or null when it is noeviction (or unreadable). */
    private String evictionPolicyProblem() {
        try {
            Response policy = redis.send(Request.cmd(Command.CONFIG).arg("GET").arg("maxmemory-policy"));
            String value = RedisCalls.field(policy, "maxmemory-policy");
            if (value != null && !"noeviction".equals(value)) {
                return "Redis maxmemory-policy is '" + value
                        + "': Baton needs 'noeviction', or Redis may silently drop acknowledged tasks";
            }
            return null;
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("unknown command") || String.valueOf(e.getMessage()).contains("NOPERM")) {
                if (!configUnreadableLogged) {
                    configUnreadableLogged = true;
                    LOG.warn("cannot read Redis maxmemory-policy (CONFIG is not allowed); make sure it is noeviction");
                }
                return null;
            }
            throw e;
        }
    }

    private volatile boolean configUnreadableLogged;

    private void checkpointLoop() {
        if (!ready || stopped) {
            return;
        }
        try {
            String eviction = evictionPolicyProblem();
            if (eviction != null && !eviction.equals(evictionProblem)) {
                LOG.error(eviction + "; not ready until it is noeviction again");
            } else if (eviction == null && evictionProblem != null) {
                LOG.info("Redis maxmemory-policy is noeviction again");
            }
            evictionProblem = eviction;
            WriterLease.Renewal renewal = lease.renew();
            if (renewal == WriterLease.Renewal.LOST) {
                stepDown("another Baton took the writer lease");
                return;
            }
            String behind = renewal == WriterLease.Renewal.REDIS_BEHIND
                    ? "Redis holds an older writer epoch or none (it was flushed, or restarted with less data)"
                    : rewriteWanted != null ? rewriteWanted : behindBy();
            if (behind != null) {
                rewrite(behind);
            } else {
                checkpoint();
                dissolveImageIfWanted();
            }
            if (writeProblem != null) {
                LOG.info("Redis takes writes again");
            }
            writeProblem = null;
            problem = null;
        } catch (FencedWrites.FencedException | FencedWrites.RedisBehindException e) {
            refused(e);
        } catch (RuntimeException e) {
            if (writeProblem == null) {
                LOG.warnf("Redis does not take Baton's writes now (trying again next interval): %s", e.toString());
            }
            writeProblem = "Redis does not take writes: " + e;
        }
    }

    /** What Redis lost of what this Baton wrote (the checkpoint marker, the journal's top), or null. */
    private String behindBy() {
        return holdingWrites(() -> {
            List<Response> now = redis.batch(List.of(Request.cmd(Command.GET).arg(keys.checkpoint()),
                    Request.cmd(Command.GET).arg(keys.journalTop())));
            long marker = now.get(0) == null ? 0 : now.get(0).toLong();
            if (marker < lastMarker) {
                return "the checkpoint marker in Redis is " + marker + ", this Baton wrote " + lastMarker;
            }
            Journal current = journal;
            String top = now.get(1) == null ? "" : now.get(1).toString();
            if (current != null && !top.equals(current.top())) {
                return "the journal's top in Redis is '" + top + "', this Baton appended '" + current.top() + "'";
            }
            return null;
        });
    }

    /** Runs {@code work} holding {@link #writes}, once the journal's write in flight (if any) has ended. */
    private <T> T holdingWrites(Supplier<T> work) {
        Journal current = journal;
        if (current != null) {
            return current.holding(work);
        }
        writes.lock();
        try {
            return work.get();
        } finally {
            writes.unlock();
        }
    }

    /**
     * A fenced write was refused: another Baton took over (step down), or Redis lost data (write
     * the whole state again, on the store's thread). On the journal's thread this only asks.
     */
    private void refused(RuntimeException refusal) {
        boolean onStoreThread = Thread.currentThread().getName().equals("baton-store");
        if (refusal instanceof FencedWrites.FencedException fenced && !fenced.redisBehind()) {
            ScheduledExecutorService store = loops;
            if (!onStoreThread && store != null && !store.isShutdown()) {
                store.execute(() -> stepDown(refusal.getMessage())); // off the journal's event loop
            } else {
                stepDown(refusal.getMessage());
            }
            return;
        }
        if (onStoreThread) {
            rewrite(refusal.getMessage());
            return;
        }
        rewriteWanted = refusal.getMessage();
        ScheduledExecutorService store = loops;
        if (store != null && !store.isShutdown()) {
            store.execute(this::checkpointLoop);
        }
    }

    /**
     * The whole state again, as for an empty Redis: after Redis came back with less than this
     * Baton wrote ({@code reason}; null at the first start on an empty Redis). The journal waits
     * meanwhile; what it had queued up to the state's seq counts as written.
     */
    private void rewrite(String reason) {
        holdingWrites(() -> {
            rewriteHolding(reason);
            return null;
        });
    }

    private void rewriteHolding(String reason) {
        if (!lease.reclaim()) {
            stepDown("another Baton holds the writer lease");
            return;
        }
        if (reason != null) {
            LOG.warnf("Redis holds less than this Baton wrote (%s); writing the whole state again", reason);
        }
        writeWhole(coordinator.state(), false);
        rewriteWanted = null;
    }

    /**
     * The whole state {@code all} ({@link Checkpointer#writeAll}), with the webhook deliveries not
     * acknowledged yet; the journal waits meanwhile (its caller holds the writes, or it is stopped).
     * On failure what it took from the sink goes back.
     */
    private void writeWhole(EngineState all, boolean asImage) {
        StoreSink.Changes drained = sink.drain();
        List<Outbox.Delivery> deliveries = new ArrayList<>(outbox.pending());
        deliveries.addAll(drained.deliveries());
        try {
            checkpointer.writeAll(all, keptAll.get(), clock.millis(), deliveries, asImage);
            keptUnwritten = new HashMap<>();
        } catch (RuntimeException e) {
            sink.putBack(drained);
            throw e;
        }
        outbox.written(drained.deliveries());
        lastMarker = all.seq();
        Journal current = journal;
        if (current != null) {
            current.rewritten(all.seq());
        }
    }

    /**
     * At a clean stop with {@link #imageFromTasks} live tasks or more: the whole state, its live
     * tasks as the tasks hash's image, instead of the last checkpoint, so the next start reads them
     * back in a fraction of the time (docs/redis.md). With images turned off (0) and one in Redis:
     * the whole state into the hash, the image deleted (before a rollback to a Baton that does not
     * read images). False otherwise, or when the write failed (the last checkpoint follows; an
     * image being written is left unused).
     */
    private boolean writeImage() {
        dev.baton.engine.EngineStats counts = coordinator.stats(clock.millis());
        long counted = (long) counts.pending() + counts.running() + counts.waiting() + counts.scheduled();
        boolean asImage = imageFromTasks > 0 && counted >= imageFromTasks;
        if (!asImage && (imageFromTasks > 0 || checkpointer.imageTasks() < 0)) {
            return false; // counted first: the state's copy below is of every task
        }
        EngineState all = coordinator.state();
        long live = all.tasks().stream().filter(task -> !task.status().isTerminal()).count();
        try {
            writeWhole(all, asImage);
            LOG.infof(asImage ? "wrote the %d live tasks as the tasks hash's image"
                    : "wrote the %d live tasks back into the tasks hash, with no image (baton.stop-image-min-tasks=0)", live);
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("writing the whole state failed (a checkpoint follows): %s", e.toString());
            return false;
        }
    }

    /**
     * Once as many fields have been written into the hash beside the image as half of it (tasks
     * that left it, or changed since), every live task is marked changed: the next checkpoint
     * writes them into the hash and deletes the image with its marker.
     */
    private void dissolveImageIfWanted() {
        if (!checkpointer.dissolveWanted()) {
            return;
        }
        EngineState all = coordinator.state();
        sink.markDirty(all.tasks().stream().filter(task -> !task.status().isTerminal()).toList(), all.seq());
        checkpointer.dissolveWithNextWrite();
    }

    /**
     * This Baton lost the writer lease ({@code why}): it stops acknowledging (waiting calls fail
     * with 503), answers parked long-polls, ends event streams, and waits to recover again as a
     * standby once the lease lapses.
     */
    private void stepDown(String why) {
        synchronized (stepping) {
            if (!ready || stopped) {
                return;
            }
            ready = false;
        }
        problem = "lost the writer lease (" + why + "); standing by until it lapses";
        LOG.error(problem);
        ScheduledFuture<?> ticking = tick;
        if (ticking != null) {
            ticking.cancel(false);
        }
        Journal current = journal;
        if (current != null) {
            current.abandon("this Baton lost the writer lease to another Baton; the change is not acknowledged: "
                    + "retry the call (it is idempotent with an id)");
        }
        sink.reset();
        outbox.steppedDown();
        coordinator.endAllWaits(clock.millis());
        onStepDown.run();
        recoverInBackground();
    }

    private void checkpoint() {
        StoreSink.Changes changes = sink.drain();
        Journal journal = this.journal;
        if (changes.isEmpty()) {
            // journal entries the last checkpoint covers may have been written after its trim
            if (journal != null && lastMarker > 0) {
                checkpointer.trimJournal(lastMarker);
            }
            return;
        }
        try {
            if (journal != null) {
                // records in the hash must never be ahead of the journal (see Checkpointer#write)
                journal.durable(changes.seq()).get(settings.ackTimeoutMillis(), TimeUnit.MILLISECONDS);
            }
            keptUnwritten.putAll(keptChanged.get());
            checkpointer.write(changes, coordinator.agentRecords(), coordinator.flow().typeSettings(),
                    coordinator.flow().schedules().records(), coordinator.flow().limitSettings(), keptUnwritten,
                    clock.millis());
            keptUnwritten = new HashMap<>();
            outbox.written(changes.deliveries());
            lastMarker = changes.seq();
            lastCheckpointMillis = clock.millis();
            checkpoints++;
        } catch (RuntimeException e) {
            sink.putBack(changes);
            throw e;
        } catch (InterruptedException e) {
            sink.putBack(changes);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("checkpoint interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            sink.putBack(changes);
            throw new IllegalStateException("the journal did not catch up with the checkpoint: " + e, e);
        }
    }

    /** The API's wait: done once the events up to {@code seq} are in Redis (at once in checkpoint mode). */
    public Uni<Void> durable(long seq) {
        if (!ready) {
            return Uni.createFrom().failure(new DurabilityUnavailableException("Baton does not write now ("
                    + (problem == null ? "stopping" : problem) + "); the change is not acknowledged: retry the call"));
        }
        Journal journal = this.journal;
        if (journal == null) {
            return Uni.createFrom().voidItem();
        }
        if (seq <= journal.writtenSeq()) {
            return Uni.createFrom().voidItem(); // written already: no wait, no hop
        }
        // one timer for all waiting calls, one wake-up per event loop per flush (Journal#await)
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> journal.await(seq, context, emitter));
    }

    /**
     * As {@link #durable}, without a {@code Uni} (the hot routes: Mutiny's operators cost them a
     * context capture each): {@code then} hears null once the events up to {@code seq} are in
     * Redis, or why not; at once when nothing is to wait for, else on the caller's Vert.x context.
     */
    public void whenDurable(long seq, Consumer<RuntimeException> then) {
        Journal journal = this.journal;
        if (!ready) {
            then.accept(new DurabilityUnavailableException("Baton does not write now ("
                    + (problem == null ? "stopping" : problem) + "); the change is not acknowledged: retry the call"));
        } else if (journal == null || seq <= journal.writtenSeq()) {
            then.accept(null);
        } else {
            journal.await(seq, Vertx.currentContext(), then);
        }
    }

    /** A finished task past the in-memory cache but within retention, or null. */
    public TaskRecord finished(String taskId) {
        if (!ready) {
            return null;
        }
        List<TaskRecord> unwritten = sink.unwrittenFinished(List.of(taskId)); // not checkpointed yet
        return unwritten.isEmpty() ? checkpointer.finished(taskId) : unwritten.get(0);
    }

    /** Finished tasks within the retention that the engine's memory no longer holds. */
    public RetainedTasks retained() {
        return retained;
    }

    /** Recovered and not stopping: the API serves calls (durable ones may still wait for Redis). */
    public boolean serving() {
        return ready && !stopped;
    }

    /** A durable call can succeed now: recovered, Redis takes writes and will not evict keys. */
    public boolean ready() {
        Journal journal = this.journal;
        return ready && !stopped && writeProblem == null && evictionProblem == null && (journal == null || journal.healthy());
    }

    /** Why not ready, or null. */
    public String problem() {
        Journal journal = this.journal;
        if (ready && evictionProblem != null) {
            return evictionProblem;
        }
        if (ready && journal != null && !journal.healthy()) {
            return "journal writes are failing; backlog " + journal.backlog() + " events";
        }
        if (ready && writeProblem != null) {
            return writeProblem;
        }
        return problem;
    }

    /** The loops' own figures, for readiness details. */
    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("checkpoints", checkpoints);
        stats.put("last_checkpoint_millis", lastCheckpointMillis);
        stats.put("checkpoint_seq", lastMarker);
        stats.put("writer_epoch", fence.epoch());
        Journal journal = this.journal;
        if (journal != null) {
            stats.put("journal_backlog", journal.backlog());
            stats.put("journal_entries", journal.entries());
            stats.put("journal_written_seq", journal.writtenSeq());
        }
        return stats;
    }

    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        boolean wasReady = ready;
        ready = false;
        if (loops != null) {
            // a checkpoint under way finishes first: interrupted, it would put back what it had taken only
            // after the final one below ran, and the next start would replay the whole journal instead
            loops.shutdown();
            try {
                if (!loops.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    loops.shutdownNow();
                }
            } catch (InterruptedException e) {
                loops.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (!wasReady) {
            return;
        }
        Journal journal = this.journal;
        if (journal != null) {
            journal.stop(settings.ackTimeoutMillis());
        }
        try {
            if (!writeImage()) {
                checkpoint();
            }
            lease.release();
            LOG.infof("final checkpoint written at seq %d", sink.lastSeq());
            checkpointer.awaitRewrite(STOP_WAIT_MILLIS); // the next start loads a snapshot, not every write since
        } catch (RuntimeException e) {
            LOG.warnf("final checkpoint failed (the journal has the changes): %s", e.toString());
        }
    }

    /** For tests: run one checkpoint now, on the store's own thread. */
    void checkpointNow() {
        loops.execute(this::checkpointLoop);
    }

    /**
     * A clean stop with at least {@code tasks} live tasks writes them as the tasks hash's image
     * (default {@value Checkpointer#REWRITE_AOF_FROM_TASKS}); 0: never, and a stop then writes an
     * image an earlier stop left back into the hash. Set before {@link #start}.
     */
    public void imageFromTasks(int tasks) {
        imageFromTasks = tasks;
    }

    /** For tests: what runs once an image's chunks are written, before the step that puts it in place. */
    void beforeImagePlaced(Runnable hook) {
        checkpointer.beforeImagePlaced = hook;
    }

    /** For tests: the live tasks in the image Redis holds, -1 when none. */
    int imageTasks() {
        return checkpointer.imageTasks();
    }

    /** For tests: what runs between a checkpoint's EXEC and its journal trim. */
    void afterCheckpointExec(Runnable hook) {
        checkpointer.afterExec = hook;
    }

    /** For tests: stop every loop as a crash would — no final checkpoint, the lease left to lapse. */
    synchronized void halt() {
        stopped = true;
        ready = false;
        if (loops != null) {
            loops.shutdownNow();
        }
        Journal journal = this.journal;
        if (journal != null) {
            journal.stop(0);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A Redis Baton must not run on. */
    static final class RefusedRedisException extends RuntimeException {
        RefusedRedisException(String message) {
            super(message, null, false, false);
        }
    }
}
