package dev.baton.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one mapper between the engine's mutable records and what leaves the engine: a task's
 * {@link TaskRecord} (journal, checkpoints, events; {@link #rebuild} is its inverse) and
 * {@link TaskView} (the API), an agent's {@link AgentRecord} and {@link AgentView}. A field added
 * to {@link Task} is added here, to the record it belongs in, and nowhere else in the engine;
 * {@code SnapshotsTest} fails while a field is missing from the round trip.
 */
final class Snapshots {

    private Snapshots() {
    }

    static TaskRecord record(Task t) {
        return new TaskRecord(t.spec, t.maxRetries, t.createdAt, t.status, t.level, Task.boxed(t.runAt), t.attempt, t.failures,
                t.expiries, t.progress, t.message, t.result, t.error, Task.boxed(t.startedAt), Task.boxed(t.completedAt), t.leaseId,
                t.assignedAgent, t.cancelRequested, t.endedLeaseId, t.endedByComplete, t.readyAt, t.readySeq, Attempts.ended(t),
                t.dependentIds);
    }

    /** The task a record was taken from, outside every structure (the caller places it). */
    static Task rebuild(TaskRecord r) {
        Task task = new Task(r.id(), r.spec(), r.maxRetries(), r.createdAt());
        task.status = r.status();
        task.level = r.level();
        task.runAt = Task.unboxed(r.runAt());
        task.attempt = r.attempt();
        task.failures = r.failures();
        task.expiries = r.expiries();
        task.progress = r.progress();
        task.message = r.message();
        task.result = r.result();
        task.error = r.error();
        task.startedAt = Task.unboxed(r.startedAt());
        task.completedAt = Task.unboxed(r.completedAt());
        task.leaseId = r.leaseId();
        task.assignedAgent = r.assignedAgent();
        task.cancelRequested = r.cancelRequested();
        task.endedLeaseId = r.endedLeaseId();
        task.endedByComplete = r.endedByComplete();
        task.readyAt = r.readyAt();
        task.readySeq = r.readySeq();
        task.attempts = r.attempts();
        Attempts.compact(task);
        task.dependentIds = r.dependents();
        return task;
    }

    /**
     * The tasks of {@code records}, each {@linkplain #rebuild rebuilt}, in ascending id order, each id once
     * (of records with the same id, the last): recovery reads the tasks hash in Redis' order (which
     * may repeat an entry), and the id index takes tasks in id order by appending (out of order, each
     * went through a sorted map: most of a million-task recovery).
     */
    static Task[] rebuildInIdOrder(List<TaskRecord> records) {
        Task[] tasks = new Task[records.size()];
        for (int i = 0; i < tasks.length; i++) {
            tasks[i] = rebuild(records.get(i));
        }
        if (!IdSort.sort(tasks, task -> task.id)) { // stable: the last of an id stays last
            return tasks; // no id twice (HSCAN repeats an entry only if the hash was resized between pages)
        }
        int kept = 0;
        for (Task task : tasks) {
            if (kept > 0 && tasks[kept - 1].id.equals(task.id)) {
                tasks[kept - 1] = task;
            } else {
                tasks[kept++] = task;
            }
        }
        return kept == tasks.length ? tasks : Arrays.copyOf(tasks, kept);
    }

    /** The API's view; {@code position}, {@code waitingOn} and {@code waitingOnLimit} are derived by their owners. */
    static TaskView view(Task task, Integer position, List<String> waitingOn, String waitingOnLimit) {
        return new TaskView(task.id, task.type(), task.spec.description(), task.spec.priority(), task.level,
                task.spec.payload(), task.spec.dependsOn(), waitingOn, task.spec.runOnDependencyFailure(),
                task.status, task.assignedAgent, task.attempt, task.maxRetries, task.failures, task.expiries,
                task.progress, task.message, task.result, task.error, Task.boxed(task.runAt), task.createdAt,
                Task.boxed(task.startedAt), Task.boxed(task.completedAt), position, task.status.isRunning() ? task.leaseExpiresAt : null, task.cancelRequested,
                task.readyAt == 0 ? null : task.readyAt, task.spec.callbackUrl(), Attempts.view(task), task.dependentIds,
                task.spec.rateKey(), task.spec.cost(), task.spec.concurrencyKey(), waitingOnLimit);
    }

    static AgentRecord record(Agent a) {
        return new AgentRecord(a.spec, a.registeredAt, a.lastSeen, a.overall.view(), histories(a));
    }

    static AgentView view(Agent agent) {
        List<String> active = new ArrayList<>(agent.active.size());
        for (Task task : agent.active) {
            active.add(task.id);
        }
        return new AgentView(agent.id, agent.spec.capabilities(), agent.spec.maxConcurrency(), agent.spec.labels(),
                agent.registeredAt, agent.lastSeen, agent.lost, Collections.unmodifiableList(active),
                agent.parked.size(), agent.overall.view(), histories(agent));
    }

    /** An agent rebuilt from its record, seen at {@code now}. */
    static Agent rebuild(AgentRecord r, long now) {
        Agent agent = new Agent(r.spec(), r.registeredAt());
        agent.lastSeen = now;
        agent.overall.restore(r.overall());
        r.byType().forEach((type, h) -> agent.history(type).restore(h));
        return agent;
    }

    private static Map<String, AgentView.History> histories(Agent a) {
        Map<String, AgentView.History> byType = new HashMap<>();
        a.byType.forEach((type, h) -> byType.put(type, h.view()));
        return byType;
    }
}
