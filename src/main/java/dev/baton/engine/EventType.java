package dev.baton.engine;

/** Kinds of engine events; {@link #wireName()} is what subscribers see in {@code "event"}. */
public enum EventType {
    SUBMITTED("task.submitted"),
    WAITING("task.waiting"),
    SCHEDULED("task.scheduled"),
    QUEUED("task.queued"),
    RELEASED("task.released"),
    ASSIGNED("task.assigned"),
    STARTED("task.started"),
    PROGRESS("task.progress"),
    COMPLETED("task.completed"),
    FAILED("task.failed"),
    RETRYING("task.retrying"),
    EXPIRED("task.expired"),
    REQUEUED("task.requeued"),
    CANCELLED("task.cancelled"),
    AGENT_REGISTERED("agent.registered"),
    AGENT_LOST("agent.lost"),
    AGENT_LEFT("agent.left"),
    TYPE_UPDATED("type.updated"),
    TYPE_LIMIT_CHANGED("type.limit_changed"),
    SCHEDULE_UPDATED("schedule.updated"),
    SCHEDULE_FIRED("schedule.fired"),
    SCHEDULE_DELETED("schedule.deleted"),
    LIMIT_UPDATED("limit.updated"),
    LIMIT_CHANGED("limit.changed");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
