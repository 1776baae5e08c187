package dev.baton.engine;

/**
 * One ordered engine event. {@code seq} is strictly increasing with no gaps across all events of
 * one coordinator. Task fields are null for agent events.
 *
 * @param task  the task as it is after the change (null for agent events); the journal keeps it
 * @param agent the agent after a registration (null otherwise)
 * @param score why the agent got the task, on {@link EventType#ASSIGNED} (null otherwise)
 * @param settings the type's new runtime settings, on {@link EventType#TYPE_UPDATED} (null otherwise); the journal keeps them
 * @param schedule the schedule after the change, on {@code schedule.*} events (null otherwise); the journal keeps it
 * @param limit the key pattern's new runtime limit, on {@link EventType#LIMIT_UPDATED} (null otherwise; empty
 *              when removed); the journal keeps it
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
        AgentRecord agent,
        ScoreBreakdown score,
        TypeSettings settings,
        ScheduleRecord schedule,
        LimitSettings limit) {

    /** An event with a schedule: {@code schedule.*}. */
    public TaskEvent(long seq, EventType type, String taskId, String taskType, Priority priority, TaskStatus status,
            String agentId, Integer progress, String message, long at, TaskRecord task, AgentRecord agent,
            ScoreBreakdown score, TypeSettings settings, ScheduleRecord schedule) {
        this(seq, type, taskId, taskType, priority, status, agentId, progress, message, at, task, agent, score, settings,
                schedule, null);
    }

    /** An event with a limit: {@link EventType#LIMIT_UPDATED}. */
    public TaskEvent(long seq, EventType type, String taskId, String taskType, Priority priority, TaskStatus status,
            String agentId, Integer progress, String message, long at, TaskRecord task, AgentRecord agent,
            ScoreBreakdown score, TypeSettings settings, LimitSettings limit) {
        this(seq, type, taskId, taskType, priority, status, agentId, progress, message, at, task, agent, score, settings,
                null, limit);
    }

    /** An event without a schedule or a limit: every kind but those. */
    public TaskEvent(long seq, EventType type, String taskId, String taskType, Priority priority, TaskStatus status,
            String agentId, Integer progress, String message, long at, TaskRecord task, AgentRecord agent,
            ScoreBreakdown score, TypeSettings settings) {
        this(seq, type, taskId, taskType, priority, status, agentId, progress, message, at, task, agent, score, settings,
                null, null);
    }

    /** An event without type settings: every kind but {@link EventType#TYPE_UPDATED}. */
    public TaskEvent(long seq, EventType type, String taskId, String taskType, Priority priority, TaskStatus status,
            String agentId, Integer progress, String message, long at, TaskRecord task, AgentRecord agent,
            ScoreBreakdown score) {
        this(seq, type, taskId, taskType, priority, status, agentId, progress, message, at, task, agent, score, null,
                null, null);
    }

    /** An event without a score: every kind but {@link EventType#ASSIGNED}. */
    public TaskEvent(long seq, EventType type, String taskId, String taskType, Priority priority, TaskStatus status,
            String agentId, Integer progress, String message, long at, TaskRecord task, AgentRecord agent) {
        this(seq, type, taskId, taskType, priority, status, agentId, progress, message, at, task, agent, null, null,
                null, null);
    }
}
