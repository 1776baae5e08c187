package dev.baton.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.baton.engine.TaskEvent;
import java.time.Instant;

/**
 * The one event shape of DESIGN §7, the same on Redis, SSE and brokers. Every key is always
 * present; task fields are null for agent events. Names are spelled out here so the wire does not
 * depend on the app's naming strategy.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"event", "seq", "task_id", "task_type", "priority", "status", "agent_id", "progress", "message", "at"})
public record WireEvent(
        @JsonProperty("event") String event,
        @JsonProperty("seq") long seq,
        @JsonProperty("task_id") String taskId,
        @JsonProperty("task_type") String taskType,
        @JsonProperty("priority") String priority,
        @JsonProperty("status") String status,
        @JsonProperty("agent_id") String agentId,
        @JsonProperty("progress") Integer progress,
        @JsonProperty("message") String message,
        @JsonProperty("at") String at) {

    public static WireEvent of(TaskEvent e) {
        return new WireEvent(e.type().wireName(), e.seq(), e.taskId(), e.taskType(),
                e.priority() == null ? null : e.priority().name(), e.status() == null ? null : e.status().name(),
                e.agentId(), e.progress(), e.message(), Instant.ofEpochMilli(e.at()).toString());
    }

    /** The {@code task_notifications} message for a task event (DESIGN §7). */
    public Notification notification() {
        return new Notification("task.submitted".equals(event) ? "new_task" : "task_updated",
                taskId, taskType, priority, status, agentId);
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"action", "task_id", "task_type", "priority", "status", "agent_id"})
    public record Notification(
            @JsonProperty("action") String action,
            @JsonProperty("task_id") String taskId,
            @JsonProperty("task_type") String taskType,
            @JsonProperty("priority") String priority,
            @JsonProperty("status") String status,
            @JsonProperty("agent_id") String agentId) {
    }
}
