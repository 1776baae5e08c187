package dev.baton.engine;

/**
 * The states of a task. The legal moves between them live in one place, {@link Transitions};
 * everything else asks it.
 */
public enum TaskStatus {
    /** Some dependency has not completed yet. */
    WAITING,
    /** Not before {@code run_at}: delayed on submit, or backing off before a retry. */
    SCHEDULED,
    /** In a ready deque. */
    PENDING,
    /** Claimed; the lease runs, no heartbeat yet. */
    ASSIGNED,
    /** Claimed and heard from. */
    IN_PROGRESS,
    COMPLETED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return switch (this) {
            case COMPLETED, FAILED, CANCELLED -> true;
            case WAITING, SCHEDULED, PENDING, ASSIGNED, IN_PROGRESS -> false;
        };
    }

    /** Holds a lease and a slot of its agent. */
    public boolean isRunning() {
        return switch (this) {
            case ASSIGNED, IN_PROGRESS -> true;
            case WAITING, SCHEDULED, PENDING, COMPLETED, FAILED, CANCELLED -> false;
        };
    }
}
