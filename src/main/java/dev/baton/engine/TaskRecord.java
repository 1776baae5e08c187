package dev.baton.engine;

import java.util.List;

/**
 * Everything the engine knows about one task, for the journal, checkpoints and recovery: a task
 * rebuilt from its record behaves exactly as before (leases get a fresh clock). Times are epoch
 * millis; a null time has not happened.
 *
 * @param spec            what the producer asked for (with the final id)
 * @param maxRetries      the retries the task has (the spec's, or its type's default)
 * @param level           the level it is queued at (lower after retries)
 * @param runAt           not before (the spec's run_at, or a retry's backoff)
 * @param leaseId         the current lease while running, or a cancelled run's last one
 * @param endedLeaseId    the lease whose complete or fail ended the last run, to spot a repeat
 * @param readyAt         when it last joined a ready deque (for aging)
 * @param readySeq        the order in which tasks became ready (deques are rebuilt in it)
 * @param attempts        the runs that ended, oldest first (the last 20); null in records written before they were kept
 * @param dependents      ids of the tasks that named this one in depends_on (the first 1,000); null in older records
 */
public record TaskRecord(
        TaskSpec spec,
        int maxRetries,
        long createdAt,
        TaskStatus status,
        Priority level,
        Long runAt,
        int attempt,
        int failures,
        int expiries,
        int progress,
        String message,
        String result,
        String error,
        Long startedAt,
        Long completedAt,
        String leaseId,
        String assignedAgent,
        boolean cancelRequested,
        String endedLeaseId,
        boolean endedByComplete,
        long readyAt,
        long readySeq,
        List<TaskAttempt> attempts,
        List<String> dependents) {

    public TaskRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts); // no copy of the engine's immutable lists
        dependents = dependents == null ? List.of() : List.copyOf(dependents);
    }

    /** A record without attempts or dependents, as Baton wrote them before it kept those. */
    public TaskRecord(TaskSpec spec, int maxRetries, long createdAt, TaskStatus status, Priority level, Long runAt,
            int attempt, int failures, int expiries, int progress, String message, String result, String error,
            Long startedAt, Long completedAt, String leaseId, String assignedAgent, boolean cancelRequested,
            String endedLeaseId, boolean endedByComplete, long readyAt, long readySeq) {
        this(spec, maxRetries, createdAt, status, level, runAt, attempt, failures, expiries, progress, message, result,
                error, startedAt, completedAt, leaseId, assignedAgent, cancelRequested, endedLeaseId, endedByComplete,
                readyAt, readySeq, List.of(), List.of());
    }

    public String id() {
        return spec.id();
    }

    /** The task as a finished one read back from a record: no queue position, no lease, waiting on nothing. */
    public TaskView finishedView() {
        return new TaskView(id(), spec.type(), spec.description(), spec.priority(), level, spec.payload(), spec.dependsOn(),
                List.of(), spec.runOnDependencyFailure(), status, assignedAgent, attempt, maxRetries, failures,
                expiries, progress, message, result, error, runAt, createdAt, startedAt, completedAt, null, null,
                cancelRequested, readyAt == 0 ? null : readyAt, spec.callbackUrl(), attempts, dependents, spec.rateKey(), spec.cost(),
                spec.concurrencyKey(), null);
    }
}
