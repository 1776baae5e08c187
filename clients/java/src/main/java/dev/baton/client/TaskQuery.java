package dev.baton.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filters and paging of {@code GET /v1/tasks}: {@code TaskQuery.all().status(TaskStatus.FAILED).type("coding")}.
 * Immutable: each method answers a new query.
 */
public record TaskQuery(TaskStatus status, String type, String agent, Integer limit, String after) {

    public static TaskQuery all() {
        return new TaskQuery(null, null, null, null, null);
    }

    public TaskQuery status(TaskStatus status) {
        return new TaskQuery(status, type, agent, limit, after);
    }

    public TaskQuery type(String type) {
        return new TaskQuery(status, type, agent, limit, after);
    }

    public TaskQuery agent(String agent) {
        return new TaskQuery(status, type, agent, limit, after);
    }

    public TaskQuery limit(int limit) {
        return new TaskQuery(status, type, agent, limit, after);
    }

    /** The page after this task id: a page's {@link Page#nextAfter()}. */
    public TaskQuery after(String after) {
        return new TaskQuery(status, type, agent, limit, after);
    }

    Map<String, Object> parameters() {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("status", status);
        query.put("type", type);
        query.put("agent", agent);
        query.put("limit", limit);
        query.put("after", after);
        return query;
    }
}
