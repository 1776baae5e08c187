package dev.baton.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The dependency graph: each unfinished task knows its waiting dependents
 * ({@link Task#dependents}), each waiting task counts its unfinished dependencies
 * ({@link Task#unfinishedDependencies}).
 *
 * <p>It decides, and moves nothing itself: when a task ends it tells the coordinator, through
 * {@link Outcomes}, which dependents are released and which are cancelled, in the order the
 * coordinator must carry that out. A failure cascades down an explicit stack, so a long chain
 * cannot overflow the call stack. Not thread-safe: used under the coordinator's lock.
 */
final class DependencyGraph {

    /** What the coordinator does with the graph's decisions, at once and in order. */
    interface Outcomes {
        /** Every dependency of the WAITING {@code dependent} is done: it may run. */
        void release(Task dependent);

        /** {@code dependent} cannot run because {@code cause} ended FAILED or CANCELLED. */
        void cancel(Task dependent, Task cause);
    }

    private final TaskTable tasks;
    private final int maxDependencies;

    DependencyGraph(TaskTable tasks, int maxDependencies) {
        this.tasks = tasks;
        this.maxDependencies = maxDependencies;
    }

    /** The parents a new task names, each once; refuses too many, unknown ids and the task itself. */
    List<Task> parentsOf(TaskSpec spec) {
        List<String> ids = spec.dependsOn();
        if (ids.isEmpty()) {
            return List.of();
        }
        if (ids.size() > maxDependencies) {
            throw new InvalidRequestException("depends_on", "has " + ids.size() + " ids, more than the limit of "
                    + maxDependencies);
        }
        List<Task> parents = new ArrayList<>(ids.size());
        List<String> unknown = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String id : ids) {
            if (!seen.add(id)) {
                continue;
            }
            Task parent = tasks.find(id);
            if (parent == null) {
                unknown.add(id);
            } else {
                parents.add(parent);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("depends_on", "unknown task ids " + unknown);
        }
        if (spec.id() != null && seen.contains(spec.id())) {
            throw new InvalidRequestException("depends_on", "task '" + spec.id() + "' cannot depend on itself");
        }
        return parents;
    }

    /**
     * The parents of a recovered task that are still readable, each once. A parent that is gone
     * finished longer than the retention ago, so it cannot hold the task back.
     */
    List<Task> knownParentsOf(Task task) {
        List<Task> parents = new ArrayList<>(task.spec.dependsOn().size());
        Set<String> seen = new LinkedHashSet<>();
        for (String id : task.spec.dependsOn()) {
            Task parent = seen.add(id) ? tasks.find(id) : null;
            if (parent != null) {
                parents.add(parent);
            }
        }
        return parents;
    }

    /** The first parent whose failure cancels {@code task} (none for a task that runs on dependency failure). */
    static Task failedParent(Task task, List<Task> parents) {
        if (task.spec.runOnDependencyFailure()) {
            return null;
        }
        for (Task parent : parents) {
            if (parent.status == TaskStatus.FAILED || parent.status == TaskStatus.CANCELLED) {
                return parent;
            }
        }
        return null;
    }

    /**
     * Make {@code task} a dependent of each parent that has not ended, and answer how many those
     * are: the task waits while that is more than zero.
     */
    static int link(Task task, List<Task> parents) {
        int unfinished = 0;
        for (Task parent : parents) {
            if (!parent.status.isTerminal()) {
                parent.addDependent(task);
                unfinished++;
            }
        }
        task.unfinishedDependencies = unfinished;
        return unfinished;
    }

    /** {@code parent} completed: release the dependents for which it was the last one open. */
    static void completed(Task parent, Outcomes outcomes) {
        List<Task> dependents = parent.dependents;
        parent.dependents = null;
        if (dependents == null) {
            return;
        }
        for (Task dependent : dependents) {
            if (dependent.status == TaskStatus.WAITING && --dependent.unfinishedDependencies == 0) {
                outcomes.release(dependent);
            }
        }
    }

    /**
     * {@code parent} ended FAILED or CANCELLED: its waiting dependents are cancelled, transitively,
     * except those that run on dependency failure, which count it as done.
     */
    static void failed(Task parent, Outcomes outcomes) {
        ArrayDeque<Task> ended = new ArrayDeque<>();
        ended.push(parent);
        while (!ended.isEmpty()) {
            Task p = ended.pop();
            List<Task> dependents = p.dependents;
            p.dependents = null;
            if (dependents == null) {
                continue;
            }
            for (Task dependent : dependents) {
                if (dependent.status != TaskStatus.WAITING) {
                    continue;
                }
                if (dependent.spec.runOnDependencyFailure()) {
                    if (--dependent.unfinishedDependencies == 0) {
                        outcomes.release(dependent);
                    }
                } else {
                    dependent.unfinishedDependencies = 0;
                    outcomes.cancel(dependent, p);
                    ended.push(dependent);
                }
            }
        }
    }

    /** The ids a WAITING task still waits on, in the order it named them. */
    List<String> waitingOn(Task task) {
        if (task.status != TaskStatus.WAITING || task.spec.dependsOn().isEmpty()) {
            return List.of();
        }
        List<String> open = new ArrayList<>();
        for (String id : task.spec.dependsOn()) {
            Task parent = tasks.find(id);
            if (parent != null && !parent.status.isTerminal() && !open.contains(id)) {
                open.add(id);
            }
        }
        return open;
    }
}
