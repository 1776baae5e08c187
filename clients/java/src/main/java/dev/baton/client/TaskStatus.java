package dev.baton.client;

/** A task's status, as Baton names it. */
public enum TaskStatus {
    WAITING, SCHEDULED, PENDING, ASSIGNED, IN_PROGRESS, COMPLETED, FAILED, CANCELLED;

    /** COMPLETED, FAILED or CANCELLED: the task will not change again (unless a dead letter is retried). */
    public boolean isTerminal() {
        return switch (this) {
            case COMPLETED, FAILED, CANCELLED -> true;
            case WAITING, SCHEDULED, PENDING, ASSIGNED, IN_PROGRESS -> false;
        };
    }

    /** ASSIGNED or IN_PROGRESS: an agent holds a lease on it. */
    public boolean isRunning() {
        return this == ASSIGNED || this == IN_PROGRESS;
    }
}
