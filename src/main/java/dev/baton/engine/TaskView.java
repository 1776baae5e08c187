package dev.baton.engine;

import java.util.List;

/**
 * An immutable snapshot of one task, taken under the coordinator's lock. Times are epoch millis;
 * a null time has not happened.
 *
 * @param priority       the priority the producer gave
 * @param level          the level the task is queued at now (lower after a retry)
 * @param attempt        runs that ended without success (failures and lease expiries)
 * @param queuePosition  while PENDING: tasks of the same type handed out before it (0 = next)
 * @param leaseExpiresAt while running: when the lease runs out
 * @param readyAt        when it last joined a ready deque (PENDING), or null if it never did
 * @param callbackUrl    where Baton POSTs the final view when the task ends, or null
 * @param attempts       its runs, oldest first (the last 20 that ended, and the one running now)
 * @param dependents     ids of the tasks that named it in depends_on (the first 1,000)
 * @param rateKey        the rate limit's key it spends from, or null
 * @param cost           what it spends of its rate key's budget
 * @param concurrencyKey the key its running count is capped and its fair share taken by, or null
 * @param waitingOnLimit while PENDING: the key whose budget (rate) or cap (concurrency) it waits on, else null
 */
public record TaskView(
        String id,
        String type,
        String description,
        Priority priority,
        Priority level,
        String payload,
        List<String> dependsOn,
        List<String> waitingOn,
        boolean runOnDependencyFailure,
        TaskStatus status,
        String assignedAgent,
        int attempt,
        int maxRetries,
        int failures,
        int expiries,
        int progress,
        String message,
        String result,
        String error,
        Long runAt,
        long createdAt,
        Long startedAt,
        Long completedAt,
        Integer queuePosition,
        Long leaseExpiresAt,
        boolean cancelRequested,
        Long readyAt,
        String callbackUrl,
        List<TaskAttempt> attempts,
        List<String> dependents,
        String rateKey,
        int cost,
        String concurrencyKey,
        String waitingOnLimit) {

    /** A view of a task without a callback, attempts, dependents or keys. */
    public TaskView(String id, String type, String description, Priority priority, Priority level, String payload,
            List<String> dependsOn, List<String> waitingOn, boolean runOnDependencyFailure, TaskStatus status,
            String assignedAgent, int attempt, int maxRetries, int failures, int expiries, int progress, String message,
            String result, String error, Long runAt, long createdAt, Long startedAt, Long completedAt,
            Integer queuePosition, Long leaseExpiresAt, boolean cancelRequested, Long readyAt) {
        this(id, type, description, priority, level, payload, dependsOn, waitingOn, runOnDependencyFailure, status,
                assignedAgent, attempt, maxRetries, failures, expiries, progress, message, result, error, runAt, createdAt,
                startedAt, completedAt, queuePosition, leaseExpiresAt, cancelRequested, readyAt, null, List.of(), List.of(), null, 1, null, null);
    }

    /** A view of a task without a callback or keys. */
    public TaskView(String id, String type, String description, Priority priority, Priority level, String payload,
            List<String> dependsOn, List<String> waitingOn, boolean runOnDependencyFailure, TaskStatus status,
            String assignedAgent, int attempt, int maxRetries, int failures, int expiries, int progress, String message,
            String result, String error, Long runAt, long createdAt, Long startedAt, Long completedAt,
            Integer queuePosition, Long leaseExpiresAt, boolean cancelRequested, Long readyAt, List<TaskAttempt> attempts,
            List<String> dependents) {
        this(id, type, description, priority, level, payload, dependsOn, waitingOn, runOnDependencyFailure, status,
                assignedAgent, attempt, maxRetries, failures, expiries, progress, message, result, error, runAt, createdAt,
                startedAt, completedAt, queuePosition, leaseExpiresAt, cancelRequested, readyAt, null, attempts, dependents, null, 1, null, null);
    }

    /** A view of a task without keys. */
    public TaskView(String id, String type, String description, Priority priority, Priority level, String payload,
            List<String> dependsOn, List<String> waitingOn, boolean runOnDependencyFailure, TaskStatus status,
            String assignedAgent, int attempt, int maxRetries, int failures, int expiries, int progress, String message,
            String result, String error, Long runAt, long createdAt, Long startedAt, Long completedAt,
            Integer queuePosition, Long leaseExpiresAt, boolean cancelRequested, Long readyAt, String callbackUrl,
            List<TaskAttempt> attempts, List<String> dependents) {
        this(id, type, description, priority, level, payload, dependsOn, waitingOn, runOnDependencyFailure, status,
                assignedAgent, attempt, maxRetries, failures, expiries, progress, message, result, error, runAt, createdAt,
                startedAt, completedAt, queuePosition, leaseExpiresAt, cancelRequested, readyAt, callbackUrl, attempts, dependents, null, 1, null, null);
    }

    /** A view of a task without a callback, attempts or dependents. */
    public TaskView(String id, String type, String description, Priority priority, Priority level, String payload,
            List<String> dependsOn, List<String> waitingOn, boolean runOnDependencyFailure, TaskStatus status,
            String assignedAgent, int attempt, int maxRetries, int failures, int expiries, int progress, String message,
            String result, String error, Long runAt, long createdAt, Long startedAt, Long completedAt,
            Integer queuePosition, Long leaseExpiresAt, boolean cancelRequested, Long readyAt, String rateKey, int cost,
            String concurrencyKey, String waitingOnLimit) {
        this(id, type, description, priority, level, payload, dependsOn, waitingOn, runOnDependencyFailure, status,
                assignedAgent, attempt, maxRetries, failures, expiries, progress, message, result, error, runAt, createdAt,
                startedAt, completedAt, queuePosition, leaseExpiresAt, cancelRequested, readyAt, null, List.of(), List.of(), rateKey, cost, concurrencyKey, waitingOnLimit);
    }
}
