package dev.baton.engine;

/** A move the transition table forbids (HTTP 409). */
public final class IllegalTransitionException extends ConflictException {

    private final TaskStatus from;
    private final TaskStatus to;

    public IllegalTransitionException(String taskId, TaskStatus from, TaskStatus to) {
        super("illegal_transition", "task '" + taskId + "' is " + from + " and cannot become " + to);
        this.from = from;
        this.to = to;
    }

    public TaskStatus from() {
        return from;
    }

    public TaskStatus to() {
        return to;
    }
}
