package dev.baton.client;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a {@link TaskHandler} gets besides its input: the task, its attempt, progress reports, and
 * whether the run was cancelled. {@link #isCancelled()} turns true when the task was cancelled on
 * the server (seen in a heartbeat answer), when the lease was lost (409: expired, handed to another
 * agent), or when the worker stopped and its grace period ran out; the run's outcome is then not
 * written, so a handler that sees it should stop early.
 */
public final class TaskContext {

    /** Progress is sent with the next heartbeat, and that heartbeat comes at most this often. */
    static final Duration MIN_PROGRESS_GAP = Duration.ofMillis(500);

    private final Worker worker;
    private final ClaimedTask claimed;
    final Duration heartbeatInterval;
    private volatile boolean cancelled;
    // Guarded by this: the heartbeat schedule and what the next heartbeat carries.
    ScheduledFuture<?> nextBeat;
    long lastBeatNanos;
    private Integer progress;
    private String message;
    // Guarded by the worker's lock.
    boolean lost;
    boolean finishing;

    TaskContext(Worker worker, ClaimedTask claimed, Duration heartbeatInterval) {
        this.worker = worker;
        this.claimed = claimed;
        this.heartbeatInterval = heartbeatInterval;
        this.lastBeatNanos = System.nanoTime();
    }

    public Task task() {
        return claimed.task();
    }

    public String taskId() {
        return claimed.id();
    }

    /** 0 on the first run, 1 on the first retry, and so on. */
    public int attempt() {
        return claimed.task().attempt();
    }

    public JsonNode payload() {
        return claimed.task().payload();
    }

    String leaseId() {
        return claimed.leaseId();
    }

    /** Reports progress (0..100) and a message (may be null), sent with a heartbeat within half a second. */
    public void progress(int percent, String message) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress: 0..100, got " + percent);
        }
        synchronized (this) {
            this.progress = percent;
            this.message = message;
        }
        worker.progressReported(this);
    }

    /** True once the task was cancelled, its lease lost, or the worker gave up on it: stop, nothing will be written. */
    public boolean isCancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }

    /** What the next heartbeat reports. */
    record Progress(Integer percent, String message) {
        static final Progress NONE = new Progress(null, null);
    }

    /** The progress to send with the next heartbeat, taken ({@link Progress#NONE} when none is waiting). */
    synchronized Progress takeProgress() {
        Progress taken = progress == null && message == null ? Progress.NONE : new Progress(progress, message);
        progress = null;
        message = null;
        return taken;
    }
}
