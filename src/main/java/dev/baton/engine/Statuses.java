package dev.baton.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * The one writer of a task's status, and the counts that follow from statuses.
 *
 * <p>{@link #move} checks the transition table ({@link Transitions}) and keeps every derived
 * count in step in one exhaustive switch ({@link #count}), so a new status cannot be added
 * without deciding what it counts as; nothing is counted by subtraction. {@link #place} enters a
 * task that has no status yet (a new task, or one rebuilt by recovery) without a transition.
 * Not thread-safe: used under the coordinator's lock.
 */
final class Statuses {

    private int waiting;
    private int scheduled;
    private int pending;
    private int running;
    private final Map<String, int[]> runningByType = new HashMap<>();

    /** The task enters the counts with the status it has (new, or rebuilt from a record). */
    void place(Task task) {
        count(task, task.status, 1);
    }

    /** The task's status becomes {@code to}; an illegal move throws {@link IllegalTransitionException}. */
    void move(Task task, TaskStatus to) {
        Transitions.check(task.id, task.status, to);
        count(task, task.status, -1);
        task.status = to;
        count(task, to, 1);
    }

    private void count(Task task, TaskStatus status, int delta) {
        switch (status) {
            case WAITING -> waiting += delta;
            case SCHEDULED -> scheduled += delta;
            case PENDING -> pending += delta;
            case ASSIGNED, IN_PROGRESS -> {
                running += delta;
                runningByType.computeIfAbsent(task.type(), t -> new int[1])[0] += delta;
            }
            case COMPLETED, FAILED, CANCELLED -> { } // finished tasks are counted by Counters, as totals
        }
    }

    int waiting() {
        return waiting;
    }

    int scheduled() {
        return scheduled;
    }

    int pending() {
        return pending;
    }

    int running() {
        return running;
    }

    int running(String type) {
        int[] count = runningByType.get(type);
        return count == null ? 0 : count[0];
    }

    /** Tasks that wait to run: ready, scheduled or waiting on dependencies (what {@code max-queued} limits). */
    int queued() {
        return pending + scheduled + waiting;
    }

    /** The running count of every type ever run, for the invariant check. */
    Map<String, Integer> runningByType() {
        Map<String, Integer> copy = new HashMap<>();
        runningByType.forEach((type, count) -> copy.put(type, count[0]));
        return copy;
    }
}
