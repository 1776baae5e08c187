package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The engine's mutable record of one task. Only the {@link Coordinator} changes it, under its
 * lock, and only through the intent-named moves there; everything outside the engine sees
 * {@link TaskView} snapshots.
 *
 * <p>A ready task sits in exactly one {@link TaskChain}: a {@link Lane} of its ready deque, or its
 * rate key's holding queue while its budget is spent; the intrusive links ({@link #prev},
 * {@link #next}, {@link #chain}) make enqueue and removal O(1) without a node allocation per task.
 */
final class Task {

    /**
     * A time that is not set. The times are primitives, not boxed: a finished task stays in memory
     * (the finished cache) through several young collections, and every object it holds is copied by
     * each of them; a box per time was a third of its objects besides the strings.
     */
    static final long NONE = Long.MIN_VALUE;

    final String id;
    final TaskSpec spec;
    final int maxRetries;
    final long createdAt;
    /** What the task spends of its rate key's budget (the spec's {@code cost}). */
    final int cost;

    TaskStatus status;
    /** The level the task is queued at; starts at the given priority, one lower per retry. */
    Priority level;
    /** When a SCHEDULED task may run, or {@link #NONE}. */
    long runAt;
    int attempt;
    int failures;
    int expiries;
    int progress;
    String message;
    String result;
    String error;
    /** When the run under way began, or {@link #NONE}. */
    long startedAt = NONE;
    /** When the task ended, or {@link #NONE}. */
    long completedAt = NONE;

    /** Running (or cancelled while running): the lease the agent must quote. */
    String leaseId;
    long leaseExpiresAt;
    String assignedAgent;
    boolean cancelRequested;
    /** The last lease that ended by complete or fail, to recognise a client's retry. */
    String endedLeaseId;
    boolean endedByComplete;

    /** When the task last became ready, for priority aging; kept when re-queued at the front. */
    long readyAt;
    /** Global order of becoming ready; ties between equal scores go to the oldest. */
    long readySeq;

    /** Its slot in the finished cache ({@link FinishedTasks}: its heap or its queue), {@link FinishedTasks#ABSENT} when it is not there. */
    int finishedSlot = FinishedTasks.ABSENT;

    /** Its slot in the id index's array ({@link TaskIndex}), -1 when it is not there (kept out of order, or not indexed). */
    int indexSlot = -1;

    /** Not ended: counted among the live tasks ({@code TaskTable}). */
    boolean live;

    /** Bumped whenever a pending timer of this task becomes void (rescheduled, cancelled). */
    int timerStamp;

    /** Dependencies not yet completed (or ended, for run-on-failure dependents). */
    int unfinishedDependencies;
    /** Tasks waiting on this one; dropped once this task ends. */
    List<Task> dependents;
    /** Ids of the tasks that named this one in depends_on, kept after it ends (see {@link Attempts}); immutable. */
    List<String> dependentIds = List.of();
    /** The runs that ended, oldest first, the last {@link Attempts#KEPT} (see {@link Attempts}); immutable. */
    List<TaskAttempt> attempts = List.of();
    /**
     * Its one run completed it, and {@link #attempts} is empty: the run is the one {@link #assignedAgent},
     * {@link #startedAt} and {@link #completedAt} tell (see {@link Attempts}).
     */
    boolean onlyRun;

    /** Its keys' budgets while it is live (null: no such key); set by {@link KeyLimits#attach}. */
    RateBucket rate;
    KeySlots conc;

    // intrusive links: the chain it is in, the lane it belongs to (kept while held)
    TaskChain chain;
    Lane lane;
    Task prev;
    Task next;
    long slot;

    Task(String id, TaskSpec spec, int maxRetries, long now) {
        this.id = id;
        this.spec = spec;
        this.maxRetries = maxRetries;
        this.createdAt = now;
        this.cost = spec.cost();
        this.level = spec.priority();
        this.status = TaskStatus.WAITING; // until the coordinator settles it
        this.runAt = unboxed(spec.runAt());
    }

    /** A time as the views and records hold it: null when not set. */
    static Long boxed(long at) {
        return at == NONE ? null : at;
    }

    static long unboxed(Long at) {
        return at == null ? NONE : at;
    }

    String type() {
        return spec.type();
    }

    void addDependent(Task dependent) {
        if (dependents == null) {
            dependents = new ArrayList<>(2);
        }
        dependents.add(dependent);
    }
}
