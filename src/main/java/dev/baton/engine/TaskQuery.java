package dev.baton.engine;

/**
 * A page of the task list, in id order. Every filter may be null.
 *
 * @param after         the last id of the previous page (exclusive cursor)
 * @param priority      the priority the producer gave (not the level it waits at now)
 * @param createdAfter  only tasks created strictly after this epoch milli
 * @param createdBefore only tasks created strictly before this epoch milli
 */
public record TaskQuery(TaskStatus status, String type, String agent, int limit, String after, Priority priority,
        Long createdAfter, Long createdBefore) {

    /**
     * Tasks a page looks at, at most, under the engine's lock: a filter that few tasks match
     * answers a short page (even an empty one) with {@code nextAfter} set, rather than walking
     * every task. About a millisecond's walk.
     */
    public static final int SCAN_BUDGET = 50_000;

    /** A query without the priority and creation-time filters. */
    public TaskQuery(TaskStatus status, String type, String agent, int limit, String after) {
        this(status, type, agent, limit, after, null, null, null);
    }

    /** Whether a task with these values passes every filter that is set. */
    public boolean matches(TaskStatus taskStatus, String taskType, String taskAgent, Priority taskPriority, long createdAt) {
        return (status == null || status == taskStatus)
                && (type == null || type.equals(taskType))
                && (agent == null || agent.equals(taskAgent))
                && (priority == null || priority == taskPriority)
                && (createdAfter == null || createdAt > createdAfter)
                && (createdBefore == null || createdAt < createdBefore);
    }

    boolean matches(Task task) {
        return matches(task.status, task.type(), task.assignedAgent, task.spec.priority(), task.createdAt);
    }
}
