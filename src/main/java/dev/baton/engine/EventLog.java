package dev.baton.engine;

/**
 * Numbers the engine's events and hands them to the sink, in the order the changes happened:
 * every call is made under the coordinator's lock, so {@code seq} is strictly increasing with no
 * gaps. Not thread-safe.
 */
final class EventLog {

    private final EventSink sink;
    private long seq;

    EventLog(EventSink sink) {
        this.sink = sink;
    }

    /** The number of the last event appended. */
    long seq() {
        return seq;
    }

    /** Recovery: numbering continues after the recovered state's last event. */
    void continueAfter(long lastSeq) {
        seq = lastSeq;
    }

    /** A task event; {@code agentId} names the agent when the task no longer does (its run ended). */
    void task(EventType type, Task task, String agentId, long now) {
        task(type, task, agentId, now, null);
    }

    /** A task event with the score that chose its agent (an assignment). */
    void task(EventType type, Task task, String agentId, long now, ScoreBreakdown score) {
        sink.accept(new TaskEvent(++seq, type, task.id, task.type(), task.level, task.status,
                agentId != null ? agentId : task.assignedAgent, task.progress,
                task.message != null ? task.message : task.error, now, Snapshots.record(task), null, score));
    }

    /** A task type's runtime settings changed: {@code task_type} names it, {@code message} sums the settings up. */
    void type(TypeSettings settings, long now) {
        sink.accept(new TaskEvent(++seq, EventType.TYPE_UPDATED, null, settings.type(), null, null, null, null,
                settings.summary(), now, null, null, null, settings));
    }

    /** A type's adaptive cap moved: {@code task_type} names it, {@code message} says to what and why. */
    void typeLimit(String type, AdaptiveLimit limit, long now) {
        sink.accept(new TaskEvent(++seq, EventType.TYPE_LIMIT_CHANGED, null, type, null, null, null, null,
                "limit " + limit.cap() + ": " + limit.reason(), now, null, null));
    }

    /** A schedule changed or fired: {@code task_type} is its template's, {@code message} names it and says what happened. */
    void schedule(EventType type, ScheduleRecord schedule, String what, long now) {
        ScheduleTemplate template = schedule.spec().template();
        sink.accept(new TaskEvent(++seq, type, null, template.type(), template.priority(), null, null, null,
                "schedule " + schedule.id() + ": " + what, now, null, null, null, null, schedule));
    }

    /** A key pattern's runtime limit changed (empty: removed): {@code message} sums up the limit now in effect. */
    void limit(LimitSettings settings, String summary, long now) {
        sink.accept(new TaskEvent(++seq, EventType.LIMIT_UPDATED, null, null, null, null, null, null,
                settings.key() + ": " + summary, now, null, null, null, null, settings));
    }

    /** A concurrency key's adaptive cap moved: {@code message} names the key and says to what and why. */
    void keyLimit(String key, AdaptiveLimit limit, long now) {
        sink.accept(new TaskEvent(++seq, EventType.LIMIT_CHANGED, null, null, null, null, null, null,
                key + ": limit " + limit.cap() + ": " + limit.reason(), now, null, null));
    }

    void agent(EventType type, Agent agent, long now) {
        sink.accept(new TaskEvent(++seq, type, null, null, null, null, agent.id, null, null, now, null,
                type == EventType.AGENT_REGISTERED ? Snapshots.record(agent) : null));
    }
}
