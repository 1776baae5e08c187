package dev.baton.engine;

/**
 * One ordered engine event. {@code seq} is strictly increasing with no gaps across all events of
 * one coordinator. Task fields are null for agent events.
 *
 * @param task  the task as it is after the change (null for agent events); the journal keeps it
 * @param agent the agent after a registration (null otherwise)
 */
public record TaskEvent(
        long seq,
        EventType type,
        String taskId,
        String taskType,
        Priority priority,
        TaskStatus status,
        String agentId,
        Integer progress,
        String message,
        long at,
        TaskRecord task,
        AgentRecord agent) {
}
