package dev.baton.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which events of {@code GET /v1/events} to receive, and where to start:
 * {@code EventFilter.all().events("task.completed", "task.failed").taskType("coding").after(seq)}.
 * Immutable: each method answers a new filter.
 */
public record EventFilter(List<String> events, String taskType, String agent, Long lastEventId) {

    public static EventFilter all() {
        return new EventFilter(List.of(), null, null, null);
    }

    /** Event kinds, e.g. {@code task.completed}; none means every kind. */
    public EventFilter events(String... kinds) {
        return new EventFilter(List.of(kinds), taskType, agent, lastEventId);
    }

    public EventFilter taskType(String taskType) {
        return new EventFilter(events, taskType, agent, lastEventId);
    }

    public EventFilter agent(String agent) {
        return new EventFilter(events, taskType, agent, lastEventId);
    }

    /** Start after this {@code seq} (sent as {@code Last-Event-ID}), e.g. {@link Stats#lastSeq()}. */
    public EventFilter after(long seq) {
        return new EventFilter(events, taskType, agent, seq);
    }

    Map<String, Object> parameters() {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("event", events.isEmpty() ? null : String.join(",", events));
        query.put("task_type", taskType);
        query.put("agent", agent);
        return query;
    }
}
