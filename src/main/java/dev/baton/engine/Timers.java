package dev.baton.engine;

import java.util.PriorityQueue;

/**
 * The engine's two timer heaps: scheduled starts ({@code run_at}, retry backoff) and lease
 * expiries.
 *
 * <p>Entries are voided, never removed early: each carries the task's {@link Task#timerStamp}
 * at the time it was set, and bumping the stamp voids every entry of the task. A heartbeat
 * extends a lease without touching the heap; an entry that comes up early is pushed back at the
 * new expiry. Void lease entries pin their finished tasks for a whole lease, so they are swept
 * out once they outnumber the live ones (O(n) amortised over n runs). Not thread-safe: used
 * under the coordinator's lock.
 */
final class Timers {

    private static final int VOID_LEASE_SLACK = 1024;

    private final PriorityQueue<Due> starts = new PriorityQueue<>();
    private final PriorityQueue<Due> leases = new PriorityQueue<>();
    /** Lease entries voided since the last sweep. */
    private long voidLeases;

    /** The task starts at {@code at}; any earlier timer of it is void. */
    void startAt(Task task, long at) {
        task.timerStamp++;
        starts.add(new Due(at, task.timerStamp, task));
    }

    /** The task's lease runs out at {@link Task#leaseExpiresAt}; any earlier timer of it is void. */
    void watchLease(Task task) {
        task.timerStamp++;
        leases.add(new Due(task.leaseExpiresAt, task.timerStamp, task));
    }

    /** Every timer of the task is void (it was cancelled or it ended). */
    void cancel(Task task) {
        task.timerStamp++;
    }

    /** The task's run ended: its lease entry is void. {@code running} is how many runs are left. */
    void leaseEnded(Task task, int running) {
        task.timerStamp++;
        voidLeases++;
        if (voidLeases > 2L * running + VOID_LEASE_SLACK) {
            leases.removeIf(due -> !due.valid());
            voidLeases = 0;
        }
    }

    /** The next SCHEDULED task due by {@code now}, taken off its heap; null when none is. */
    Task nextStart(long now) {
        for (Due due = starts.peek(); due != null && due.at() <= now; due = starts.peek()) {
            starts.poll();
            if (due.valid() && due.task().status == TaskStatus.SCHEDULED) {
                return due.task();
            }
        }
        return null;
    }

    /** The next running task whose lease ran out by {@code now}, taken off its heap; null when none did. */
    Task nextExpiry(long now) {
        for (Due due = leases.peek(); due != null && due.at() <= now; due = leases.peek()) {
            leases.poll();
            Task task = due.task();
            if (!due.valid() || !task.status.isRunning()) {
                continue;
            }
            if (task.leaseExpiresAt > now) {
                leases.add(new Due(task.leaseExpiresAt, task.timerStamp, task)); // extended meanwhile
            } else {
                return task;
            }
        }
        return null;
    }

    /**
     * The earliest time a start or a lease expiry may come due, {@link Long#MAX_VALUE} when none
     * may: void and extended entries count, so it may be early (a tick then finds nothing), never late.
     */
    long nextDue() {
        Due start = starts.peek();
        Due lease = leases.peek();
        return Math.min(start == null ? Long.MAX_VALUE : start.at(), lease == null ? Long.MAX_VALUE : lease.at());
    }

    /** Lease entries held, void ones included: for tests of the sweep. */
    int leaseEntries() {
        return leases.size();
    }
}
