package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A task's runs, kept as small immutable lists that records and views share without copying:
 * {@link Task#attempts} holds the runs that ended (the last {@link #KEPT}), replaced when a run
 * ends; the run in progress is not stored but read off the task ({@code assignedAgent},
 * {@code startedAt}), so a claim allocates nothing here. Likewise {@link Task#dependentIds}, the
 * first {@link #DEPENDENTS_KEPT} ids of the tasks that named the task in {@code depends_on}.
 * A task that completed at its first run, most of those in the finished cache, keeps no run at all:
 * {@link Task#onlyRun} says its one run is the one its own fields tell (who ran it, when it started
 * and ended), as the store's records say it, so the cache holds no run, list or boxed time for it.
 * Used under the coordinator's lock.
 */
final class Attempts {

    /** Runs kept per task: the newest ones. */
    static final int KEPT = 20;
    /** Dependent ids kept per task: the first ones. */
    static final int DEPENDENTS_KEPT = 1_000;

    private Attempts() {
    }

    /** The running task's run ends now with {@code outcome}; call before its agent and start are forgotten. */
    static void end(Task task, TaskAttempt.Outcome outcome, String error, long now) {
        if (outcome == TaskAttempt.Outcome.COMPLETED && task.attempts.isEmpty() && !task.onlyRun
                && task.assignedAgent != null && task.startedAt != Task.NONE) {
            task.onlyRun = true; // the caller sets completedAt to now: the run is read off the task
            return;
        }
        settle(task);
        TaskAttempt ended = new TaskAttempt(nextNumber(task), task.assignedAgent,
                task.startedAt == Task.NONE ? now : task.startedAt, now, outcome, error);
        List<TaskAttempt> old = task.attempts;
        int keep = Math.min(old.size(), KEPT - 1);
        TaskAttempt[] runs = new TaskAttempt[keep + 1];
        for (int i = 0; i < keep; i++) {
            runs[i] = old.get(old.size() - keep + i);
        }
        runs[keep] = ended;
        task.attempts = List.of(runs);
    }

    /** The runs that ended, oldest first. */
    static List<TaskAttempt> ended(Task task) {
        if (task.onlyRun) {
            return List.of(new TaskAttempt(1, task.assignedAgent, task.startedAt, task.completedAt,
                    TaskAttempt.Outcome.COMPLETED, null));
        }
        return task.attempts;
    }

    /** A task rebuilt from its record keeps no run when its only one is what its fields tell. */
    static void compact(Task task) {
        if (task.status != TaskStatus.COMPLETED || task.attempts.size() != 1 || task.assignedAgent == null) {
            return;
        }
        TaskAttempt only = task.attempts.get(0);
        if (only.attempt() == 1 && only.outcome() == TaskAttempt.Outcome.COMPLETED && only.error() == null
                && task.assignedAgent.equals(only.agent()) && only.startedAt() == task.startedAt
                && only.endedAt() != null && only.endedAt() == task.completedAt) {
            task.attempts = List.of();
            task.onlyRun = true;
        }
    }

    /** Before the fields its one run is read off change (the task runs again): the run goes into the list. */
    static void settle(Task task) {
        if (task.onlyRun) {
            task.attempts = ended(task);
            task.onlyRun = false;
        }
    }

    /** The runs that ended and, while the task runs, the open one; oldest first. */
    static List<TaskAttempt> view(Task task) {
        if (!task.status.isRunning() || task.assignedAgent == null || task.startedAt == Task.NONE) {
            return ended(task);
        }
        TaskAttempt open = new TaskAttempt(nextNumber(task), task.assignedAgent, task.startedAt, null, null, null);
        List<TaskAttempt> ended = ended(task);
        if (ended.isEmpty()) {
            return List.of(open); // a first run, the common case of a claim's answer
        }
        List<TaskAttempt> all = new ArrayList<>(ended.size() + 1);
        all.addAll(ended);
        all.add(open);
        return all;
    }

    /** {@code dependent} names {@code parent} in its {@code depends_on}: the parent keeps its id, while there is room. */
    static void addDependent(Task parent, String dependent) {
        List<String> old = parent.dependentIds;
        if (old.size() >= DEPENDENTS_KEPT || old.contains(dependent)) {
            return;
        }
        String[] ids = old.toArray(new String[old.size() + 1]);
        ids[old.size()] = dependent;
        parent.dependentIds = List.of(ids);
    }

    private static int nextNumber(Task task) {
        if (task.onlyRun) {
            return 2;
        }
        return task.attempts.isEmpty() ? 1 : task.attempts.get(task.attempts.size() - 1).attempt() + 1;
    }
}
