package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A task's runs, kept as small immutable lists that records and views share without copying:
 * {@link Task#attempts} holds the runs that ended (the last {@link #KEPT}), replaced when a run
 * ends; the run in progress is not stored but read off the task ({@code assignedAgent},
 * {@code startedAt}), so a claim allocates nothing here. Likewise {@link Task#dependentIds}, the
 * first {@link #DEPENDENTS_KEPT} ids of the tasks that named the task in {@code depends_on}.
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
        TaskAttempt ended = new TaskAttempt(nextNumber(task), task.assignedAgent,
                task.startedAt == null ? now : task.startedAt, now, outcome, error);
        List<TaskAttempt> old = task.attempts;
        int keep = Math.min(old.size(), KEPT - 1);
        TaskAttempt[] runs = new TaskAttempt[keep + 1];
        for (int i = 0; i < keep; i++) {
            runs[i] = old.get(old.size() - keep + i);
        }
        runs[keep] = ended;
        task.attempts = List.of(runs);
    }

    /** The runs that ended and, while the task runs, the open one; oldest first. */
    static List<TaskAttempt> view(Task task) {
        if (!task.status.isRunning() || task.assignedAgent == null || task.startedAt == null) {
            return task.attempts;
        }
        TaskAttempt open = new TaskAttempt(nextNumber(task), task.assignedAgent, task.startedAt, null, null, null);
        if (task.attempts.isEmpty()) {
            return List.of(open); // a first run, the common case of a claim's answer
        }
        List<TaskAttempt> all = new ArrayList<>(task.attempts.size() + 1);
        all.addAll(task.attempts);
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
        return task.attempts.isEmpty() ? 1 : task.attempts.get(task.attempts.size() - 1).attempt() + 1;
    }
}
