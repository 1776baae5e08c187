package dev.baton.engine;

/** The call does not fit the current state (HTTP 409): stale lease, finished task, id reused. */
public sealed class ConflictException extends BatonException permits IllegalTransitionException {

    public ConflictException(String code, String message) {
        super(code, message);
    }

    public static ConflictException leaseExpired(String taskId, String leaseId) {
        return new ConflictException("lease_expired",
                "lease '" + leaseId + "' is not the current lease of task '" + taskId + "' (expired, or the task was handed to another agent)");
    }
}
