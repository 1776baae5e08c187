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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Baton's durable state in Redis (DESIGN §7), in three named loops:
 * <ul>
 *   <li><b>recovery</b> ({@code baton-recovery}, once at start): checks that Redis will not evict
 *   keys, waits for the writer lease, reads the checkpoint and replays the journal into the
 *   engine; until it is done {@link #ready()} is false and the API answers 503.</li>
 *   <li><b>journal</b> ({@link Journal}, journal mode only): group-committed event writes.</li>
 *   <li><b>checkpointer</b> ({@code baton-store}): every {@code checkpoint-interval} renews the
 *   writer lease, checks the epoch (a Redis that came back empty gets the whole state again, and a
 *   warning), and writes the changes since the last checkpoint.</li>
 * </ul>
 * Stopping ({@link #stop}) closes the gate, writes the journal's backlog and a last checkpoint,
 * and releases the lease; it is safe twice or before start.
 */
public final class Store {

    private static final Logger LOG = Logger.getLogger(Store.class);
    private static final long LEASE_RETRY_MILLIS = 500;

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
    private final WriterLease lease;
    private final Journal journal;
    private final RetainedTasks retained;
    private ScheduledExecutorService loops;
    private volatile boolean ready;
    private volatile boolean stopped;
    private volatile String problem = "recovering";
    private volatile String epoch;
    private volatile long lastCheckpointMillis;
    private volatile long lastMarker;
    private volatile long checkpoints;

    public Store(Settings settings, Coordinator coordinator, StoreSink sink, Redis client, Clock clock) {
        this.settings = settings;
        this.coordinator = coordinator;
        this.sink = sink;
        this.clock = clock;
        this.keys = new RedisKeys(settings.keyPrefix());
        this.redis = new RedisCalls(client, Duration.ofMillis(settings.ackTimeoutMillis()));
        this.checkpointer = new Checkpointer(redis, keys, settings.retentionMillis());
        this.lease = new WriterLease(redis, keys, settings.writerLeaseTtlMillis());
        this.journal = settings.journal() ? new Journal(redis, keys) : null;
        this.retained = new RetainedTasks(coordinator, checkpointer, sink, clock, settings.retentionMillis(), this::serving);
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
        Recovery.Result recovered = Recovery.read(redis, keys);
        EngineState state = recovered.state();
        if (journal != null) {
            sink.journalTo(journal);
            journal.markWritten(state.seq());
        }
        coordinator.restore(state, clock.millis());
        sink.markDirty(recovered.replayed(), state.seq());
        epoch = currentEpoch();
        if (epoch == null) {
            epoch = UUID.randomUUID().toString();
            if (!state.tasks().isEmpty() || !state.agents().isEmpty()) {
                LOG.warn("Redis holds Baton's state but no epoch key; writing the whole state again");
            }
            checkpointer.writeAll(coordinator.state(), epoch, clock.millis());
        }
        if (journal != null) {
            journal.start();
        }
        long every = Math.max(1, settings.checkpointIntervalMillis());
        loops.scheduleWithFixedDelay(this::checkpointLoop, every, every, TimeUnit.MILLISECONDS);
        problem = null;
        ready = true;
        LOG.infof("recovered %d tasks and %d agents (%d tasks from the checkpoint, %d journal events replayed) in %d ms; %s mode",
                state.tasks().size(), state.agents().size(), recovered.fromCheckpoint(), recovered.journalEvents(),
                (System.nanoTime() - started) / 1_000_000, journal != null ? "journal" : "checkpoint");
        return true;
    }

    private void checkNoEviction() {
        try {
            Response policy = redis.send(Request.cmd(Command.CONFIG).arg("GET").arg("maxmemory-policy"));
            String value = RedisCalls.field(policy, "maxmemory-policy");
            if (value != null && !"noeviction".equals(value)) {
                throw new RefusedRedisException("Redis maxmemory-policy is '" + value
                        + "': Baton needs 'noeviction', or Redis may silently drop acknowledged tasks; refusing to run");
            }
        } catch (RefusedRedisException e) {
            throw e;
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("unknown command") || String.valueOf(e.getMessage()).contains("NOPERM")) {
                LOG.warn("cannot read Redis maxmemory-policy (CONFIG is not allowed); make sure it is noeviction");
                return;
            }
            throw e;
        }
    }

    private String currentEpoch() {
        Response value = redis.send(Request.cmd(Command.GET).arg(keys.epoch()));
        return value == null ? null : value.toString();
    }

    private void checkpointLoop() {
        if (!ready || stopped) {
            return;
        }
        try {
            if (!lease.renew()) {
                ready = false;
                problem = "lost the writer lease to another Baton";
                LOG.error(problem + "; no longer writing");
                if (journal != null) {
                    journal.stop(0);
                }
                return;
            }
            if (currentEpoch() == null) {
                LOG.warn("Redis came back without Baton's state (flushed, or restarted without persistence); "
                        + "writing the whole state again");
                sink.drain();
                EngineState all = coordinator.state();
                checkpointer.writeAll(all, epoch, clock.millis());
                lastMarker = all.seq();
            } else {
                checkpoint();
            }
            problem = null;
        } catch (RuntimeException e) {
            problem = "checkpoint failed: " + e;
            LOG.warnf("checkpoint failed, trying again next interval: %s", e.toString());
        }
    }

    private void checkpoint() {
        StoreSink.Changes changes = sink.drain();
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
            checkpointer.write(changes, coordinator.agentRecords(), clock.millis());
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
        if (journal == null) {
            return Uni.createFrom().voidItem();
        }
        Context context = Vertx.currentContext();
        Uni<Void> written = Uni.createFrom().completionStage(() -> journal.durable(seq))
                .ifNoItem().after(Duration.ofMillis(settings.ackTimeoutMillis()))
                .failWith(() -> new DurabilityUnavailableException("Redis did not confirm the change within "
                        + settings.ackTimeoutMillis() + " ms; it is kept in memory and will be written when Redis answers, "
                        + "but it is not acknowledged: retry the call (it is idempotent with an id)"));
        return context == null ? written : written.emitOn(command -> context.runOnContext(v -> command.run()));
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

    public boolean ready() {
        return ready && (journal == null || journal.healthy());
    }

    /** Why not ready, or null. */
    public String problem() {
        if (journal != null && !journal.healthy()) {
            return "journal writes are failing; backlog " + journal.backlog() + " events";
        }
        return problem;
    }

    /** The loops' own figures, for readiness details. */
    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("checkpoints", checkpoints);
        stats.put("last_checkpoint_millis", lastCheckpointMillis);
        stats.put("checkpoint_seq", lastMarker);
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
            loops.shutdownNow();
        }
        if (!wasReady) {
            return;
        }
        if (journal != null) {
            journal.stop(settings.ackTimeoutMillis());
        }
        try {
            checkpoint();
            lease.release();
            LOG.infof("final checkpoint written at seq %d", sink.lastSeq());
        } catch (RuntimeException e) {
            LOG.warnf("final checkpoint failed (the journal has the changes): %s", e.toString());
        }
    }

    /** For tests: run one checkpoint now, on the store's own thread. */
    void checkpointNow() {
        loops.execute(this::checkpointLoop);
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
