package dev.baton.engine;

import java.util.EnumSet;
import java.util.Set;

/**
 * The transition table of docs/model.md, the only place that says which status may follow which.
 * The coordinator calls {@link #check} before every move; an illegal move is a bug or a late call
 * and surfaces as {@link IllegalTransitionException} (HTTP 409).
 */
public final class Transitions {

    private Transitions() {
    }

    public static Set<TaskStatus> allowedFrom(TaskStatus from) {
        return switch (from) {
            case WAITING -> EnumSet.of(TaskStatus.PENDING, TaskStatus.SCHEDULED, TaskStatus.CANCELLED);
            case SCHEDULED -> EnumSet.of(TaskStatus.PENDING, TaskStatus.CANCELLED);
            case PENDING -> EnumSet.of(TaskStatus.ASSIGNED, TaskStatus.CANCELLED);
            // a running task that ends without success goes back to PENDING (lease expired, agent
            // left) or to SCHEDULED (retry after backoff)
            case ASSIGNED -> EnumSet.of(TaskStatus.IN_PROGRESS, TaskStatus.PENDING, TaskStatus.SCHEDULED,
                    TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED);
            case IN_PROGRESS -> EnumSet.of(TaskStatus.PENDING, TaskStatus.SCHEDULED,
                    TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED);
            // a dead letter may be re-queued by hand (retry)
            case FAILED -> EnumSet.of(TaskStatus.PENDING);
            case COMPLETED, CANCELLED -> EnumSet.noneOf(TaskStatus.class);
        };
    }

    public static boolean isAllowed(TaskStatus from, TaskStatus to) {
        return allowedFrom(from).contains(to);
    }

    static void check(String taskId, TaskStatus from, TaskStatus to) {
        if (!isAllowed(from, to)) {
            throw new IllegalTransitionException(taskId, from, to);
        }
    }
}
