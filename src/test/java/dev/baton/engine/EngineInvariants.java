package dev.baton.engine;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The engine's invariants, one method per structure, checked under the coordinator's lock after
 * every engine test and by store and recovery tests on the engines they rebuild. Each check
 * throws {@link IllegalStateException} naming the first broken invariant.
 */
public final class EngineInvariants {

    private EngineInvariants() {
    }

    public static void check(Coordinator coordinator) {
        coordinator.inspect(parts -> {
            Set<Task> queued = readyQueues(parts);
            taskTable(parts, queued);
            statusCounts(parts);
            agents(parts);
            return null;
        });
    }

    /** No task sits in two deques; every queued task is PENDING and live. */
    private static Set<Task> readyQueues(Coordinator.Parts parts) {
        Set<Task> queued = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Task task : parts.ready().all()) {
            state(queued.add(task), "task " + task.id + " sits in two deques");
            state(task.status == TaskStatus.PENDING, "queued task " + task.id + " is " + task.status);
            state(parts.tasks().find(task.id) == task && !task.status.isTerminal(), "queued task " + task.id + " is not live");
        }
        return queued;
    }

    /** Every live task is indexed, in the structure its status says, and nowhere else. */
    private static void taskTable(Coordinator.Parts parts, Set<Task> queued) {
        for (Task task : parts.tasks().all()) {
            state(task.live == !task.status.isTerminal(), "task " + task.id + " is " + task.status
                    + (task.live ? " but counted live" : " but not counted live"));
        }
        state(parts.tasks().live().size() == parts.tasks().liveCount(),
                "live count " + parts.tasks().liveCount() + " but " + parts.tasks().live().size() + " live tasks");
        for (Task task : parts.tasks().live()) {
            state(!task.status.isTerminal(), "live task " + task.id + " is " + task.status);
            state(parts.tasks().isIndexed(task), "live task " + task.id + " is not indexed");
            switch (task.status) {
                case PENDING -> state(queued.contains(task), "pending task " + task.id + " is in no deque");
                case ASSIGNED, IN_PROGRESS -> {
                    state(task.leaseId != null, "running task " + task.id + " has no lease");
                    Agent agent = parts.agents().get(task.assignedAgent);
                    state(agent == null || agent.active.contains(task),
                            "running task " + task.id + " is not active on its agent");
                }
                case WAITING -> {
                    state(task.chain == null, "waiting task " + task.id + " is queued");
                    dependencies(parts, task);
                }
                case SCHEDULED -> state(task.chain == null && task.runAt != Task.NONE,
                        "scheduled task " + task.id + " is queued or has no run_at");
                case COMPLETED, FAILED, CANCELLED -> { }
            }
        }
    }

    /** The funnel's counts match what the table holds. */
    private static void statusCounts(Coordinator.Parts parts) {
        int pending = 0;
        int running = 0;
        int waiting = 0;
        int scheduled = 0;
        Map<String, Integer> runningByType = new HashMap<>();
        for (Task task : parts.tasks().live()) {
            switch (task.status) {
                case PENDING -> pending++;
                case ASSIGNED, IN_PROGRESS -> {
                    running++;
                    runningByType.merge(task.type(), 1, Integer::sum);
                }
                case WAITING -> waiting++;
                case SCHEDULED -> scheduled++;
                case COMPLETED, FAILED, CANCELLED -> { }
            }
        }
        Statuses counts = parts.statuses();
        state(pending == parts.ready().size(), "deques hold " + parts.ready().size() + " tasks, " + pending + " are PENDING");
        state(pending == counts.pending(), "pending count " + counts.pending() + " but " + pending + " pending");
        state(running == counts.running(), "running count " + counts.running() + " but " + running + " running");
        state(waiting == counts.waiting(), "waiting count " + counts.waiting() + " but " + waiting + " waiting");
        state(scheduled == counts.scheduled(), "scheduled count " + counts.scheduled() + " but " + scheduled + " scheduled");
        counts.runningByType().forEach((type, count) -> state(count.equals(runningByType.getOrDefault(type, 0)),
                "running count of type " + type + " is " + count + ", " + runningByType.getOrDefault(type, 0) + " run"));
    }

    /** Every agent's active task is running under it; no answered claim stays parked. */
    private static void agents(Coordinator.Parts parts) {
        for (Agent agent : parts.agents().all()) {
            for (Task task : agent.active) {
                state(task.status.isRunning() && agent.id.equals(task.assignedAgent),
                        "agent " + agent.id + " holds " + task.id + " which is " + task.status);
            }
            for (PendingClaim pending : agent.parked) {
                state(!pending.done, "agent " + agent.id + " has an answered claim still parked");
                state(pending.agent == agent, "agent " + agent.id + " has another agent's claim parked");
            }
        }
    }

    /** Waiting ⇔ some dependency unfinished, counted exactly, each of them knowing this dependent; no cycle. */
    private static void dependencies(Coordinator.Parts parts, Task task) {
        state(task.unfinishedDependencies > 0, "waiting task " + task.id + " has no unfinished dependency");
        int open = 0;
        for (String id : new LinkedHashSet<>(task.spec.dependsOn())) {
            Task parent = parts.tasks().find(id);
            state(parent != null, "waiting task " + task.id + " depends on " + id + ", which is gone");
            boolean ended = parent.status == TaskStatus.FAILED || parent.status == TaskStatus.CANCELLED;
            state(!ended || task.spec.runOnDependencyFailure(),
                    "waiting task " + task.id + " still waits on " + id + ", which is " + parent.status);
            if (parent.status != TaskStatus.COMPLETED && !ended) {
                open++;
                state(parent.dependents != null && parent.dependents.contains(task),
                        "unfinished " + id + " does not know its dependent " + task.id);
            }
        }
        state(open == task.unfinishedDependencies, "waiting task " + task.id + " counts "
                + task.unfinishedDependencies + " unfinished dependencies, " + open + " are");
        state(!onCycle(parts, task, new HashSet<>(), new HashSet<>()), "waiting task " + task.id + " is on a dependency cycle");
    }

    private static boolean onCycle(Coordinator.Parts parts, Task task, Set<Task> path, Set<Task> cleared) {
        if (cleared.contains(task)) {
            return false;
        }
        if (!path.add(task)) {
            return true;
        }
        for (String id : task.spec.dependsOn()) {
            Task parent = parts.tasks().find(id);
            if (parent != null && parent.status == TaskStatus.WAITING && onCycle(parts, parent, path, cleared)) {
                return true;
            }
        }
        path.remove(task);
        cleared.add(task);
        return false;
    }

    private static void state(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
