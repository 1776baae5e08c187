package dev.baton.client;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filters and paging of {@code GET /v1/tasks}: {@code TaskQuery.all().status(TaskStatus.FAILED).type("coding")}.
 * Immutable: each method answers a new query.
 */
public record TaskQuery(TaskStatus status, String type, String agent, Integer limit, String after, Priority priority,
        Instant createdAfter, Instant createdBefore) {

    public static TaskQuery all() {
        return new TaskQuery(null, null, null, null, null, null, null, null);
    }

    /** Tasks submitted with this priority. */
    public TaskQuery priority(Priority priority) {
        return new TaskQuery(status, type, agent, limit, after, priority, createdAfter, createdBefore);
    }

    /** Tasks created strictly after this instant. */
    public TaskQuery createdAfter(Instant createdAfter) {
        return new TaskQuery(status, type, agent, limit, after, priority, createdAfter, createdBefore);
    }

    /** Tasks created strictly before this instant. */
    public TaskQuery createdBefore(Instant createdBefore) {
        return new TaskQuery(status, type, agent, limit, after, priority, createdAfter, createdBefore);
    }

    public TaskQuery status(TaskStatus status) {
        return new TaskQuery(status, type, agent, limit, after, priority, createdAfter, createdBefore);
    }

    public TaskQuery type(String type) {
        return new TaskQuery(status, type, agent, limit, after, priority, createdAfter, createdBefore);
    }

    public TaskQuery agent(String agent) {
        return new TaskQuery(status, type, agent, limit, after, priority, createdAfter, createdBefore);
    }

    public TaskQuery limit(int limit) {
        return new TaskQuery(status, type, agent, limit, after, priority, createdAfter, createdBefore);
    }

    /** The page after this task id: a page's {@link Page#nextAfter()}. */
    public TaskQuery after(String after) {
        return new TaskQuery(status, type, agent, limit, after, priority, createdAfter, createdBefore);
    }

    Map<String, Object> parameters() {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("status", status);
        query.put("type", type);
        query.put("agent", agent);
        query.put("limit", limit);
        query.put("after", after);
        query.put("priority", priority);
        query.put("created_after", createdAfter);
        query.put("created_before", createdBefore);
        return query;
    }
}
