package dev.baton.engine;

/**
 * The checks an agent's call on a running task passes before anything moves: the lease it quotes
 * is the task's current one and has not run out, the caller may act for the lease's agent, and a
 * repeated complete or fail is recognised as such. Used under the coordinator's lock.
 */
final class LeaseChecks {

    private final EngineLock lock;
    private final TaskTable tasks;
    private final AgentRegistry agents;
    private final Lifecycle lifecycle;

    LeaseChecks(EngineLock lock, TaskTable tasks, AgentRegistry agents, Lifecycle lifecycle) {
        this.lock = lock;
        this.tasks = tasks;
        this.agents = agents;
        this.lifecycle = lifecycle;
    }

    /**
     * The task whose lease {@code leaseId} is, its agent heard from. Refuses a stale lease, and a
     * lease that ran out before the reaper got to it (which expires it now), with {@code lease_expired}.
     */
    Task leased(String taskId, String leaseId, LeaseHolderCheck holder) {
        Task task = tasks.require(taskId);
        if (leaseId == null || !leaseId.equals(task.leaseId)) {
            throw ConflictException.leaseExpired(task.id, leaseId);
        }
        if (task.status.isRunning() && task.leaseExpiresAt <= lock.now()) {
            lifecycle.expire(task);
            throw ConflictException.leaseExpired(task.id, leaseId);
        }
        holder.check(task.id, task.assignedAgent);
        Agent agent = agents.get(task.assignedAgent);
        if (agent != null) {
            AgentRegistry.seen(agent, lock.now());
        }
        return task;
    }

    /**
     * Whether a complete ({@code byComplete}) or fail repeats the call that ended the task's last
     * run; answered only to the agent that ended it, when that one is still known.
     */
    static boolean repeats(Task task, String leaseId, boolean byComplete, LeaseHolderCheck holder) {
        if (task.endedByComplete != byComplete || leaseId == null || !leaseId.equals(task.endedLeaseId)) {
            return false;
        }
        if (task.assignedAgent != null) {
            holder.check(task.id, task.assignedAgent);
        }
        return true;
    }

    static void requireRunning(Task task) {
        if (task.status == TaskStatus.CANCELLED) {
            throw new ConflictException("task_cancelled", "task '" + task.id + "' was cancelled");
        }
        if (!task.status.isRunning()) {
            throw new ConflictException("illegal_transition", "task '" + task.id + "' is " + task.status + ", not running");
        }
    }
}
