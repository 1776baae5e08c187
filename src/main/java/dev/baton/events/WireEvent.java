package dev.baton.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.baton.engine.ScoreBreakdown;
import dev.baton.engine.TaskEvent;
import java.time.Instant;

/**
 * The one event shape of docs/events.md, the same on Redis, SSE and brokers. Every key is always
 * present; task fields are null for agent events. Names are spelled out here so the wire does not
 * depend on the app's naming strategy.
 *
 * <p>{@link #json()} writes the shape by hand, byte for byte what Jackson writes from the
 * annotations (a test holds the two together): every event is serialised at least twice (the full
 * event and its notification), and through Jackson's bean machinery that was most of what the
 * fan-out cost with no subscriber attached.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"event", "seq", "task_id", "task_type", "priority", "status", "agent_id", "progress", "message", "at",
        "score"})
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
        @JsonProperty("at") String at,
        @JsonProperty("score") ScoreBreakdown score) {

    /** An event without a score: every kind but {@code task.assigned}. */
    public WireEvent(String event, long seq, String taskId, String taskType, String priority, String status,
            String agentId, Integer progress, String message, String at) {
        this(event, seq, taskId, taskType, priority, status, agentId, progress, message, at, null);
    }

    public static WireEvent of(TaskEvent e) {
        return new WireEvent(e.type().wireName(), e.seq(), e.taskId(), e.taskType(),
                e.priority() == null ? null : e.priority().name(), e.status() == null ? null : e.status().name(),
                e.agentId(), e.progress(), e.message(), instant(e.at()), e.score());
    }

    /** A second as {@code Instant.toString} writes it, without the {@code Z}. */
    private record Second(long epochSecond, String text) {
    }

    /** The second the last event came in: events come many a second, and formatting it was a good part of one. */
    private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

    /** {@code Instant.ofEpochMilli(millis).toString()}, the same characters. */
    static String instant(long millis) {
        long epochSecond = Math.floorDiv(millis, 1000L);
        int milli = (int) Math.floorMod(millis, 1000L);
        Second second = lastSecond;
        if (second.epochSecond() != epochSecond) {
            String whole = Instant.ofEpochSecond(epochSecond).toString();
            second = new Second(epochSecond, whole.substring(0, whole.length() - 1));
            lastSecond = second;
        }
        if (milli == 0) {
            return second.text() + 'Z';
        }
        return new StringBuilder(second.text().length() + 5).append(second.text()).append('.')
                .append((char) ('0' + milli / 100)).append((char) ('0' + milli / 10 % 10)).append((char) ('0' + milli % 10))
                .append('Z').toString();
    }

    /** This event as JSON. */
    public String json() {
        StringBuilder out = new StringBuilder(320).append("{\"event\":");
        string(out, event);
        out.append(",\"seq\":").append(seq);
        taskFields(out, taskId, taskType, priority, status, agentId);
        out.append(",\"progress\":").append(progress == null ? "null" : progress.toString()).append(",\"message\":");
        string(out, message);
        out.append(",\"at\":");
        string(out, at);
        out.append(",\"score\":");
        if (score == null) {
            out.append("null");
        } else {
            out.append("{\"total\":").append(score.total()).append(",\"capability\":").append(score.capability())
                    .append(",\"priority\":").append(score.priority()).append(",\"load\":").append(score.load())
                    .append(",\"history\":").append(score.history()).append(",\"speed\":").append(score.speed())
                    .append('}');
        }
        return out.append('}').toString();
    }

    /** The task fields both shapes carry, in their order, each after a comma. */
    static void taskFields(StringBuilder out, String taskId, String taskType, String priority, String status, String agentId) {
        out.append(",\"task_id\":");
        string(out, taskId);
        out.append(",\"task_type\":");
        string(out, taskType);
        out.append(",\"priority\":");
        string(out, priority);
        out.append(",\"status\":");
        string(out, status);
        out.append(",\"agent_id\":");
        string(out, agentId);
    }

    /** A JSON string (or null) as Jackson writes it: quote, backslash and control characters escaped. */
    static void string(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int start = 0; // the runs between escapes are copied whole, not a character at a time
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, start, i).append('\\');
            switch (c) {
                case '"', '\\' -> out.append(c);
                case '\n' -> out.append('n');
                case '\r' -> out.append('r');
                case '\t' -> out.append('t');
                case '\b' -> out.append('b');
                case '\f' -> out.append('f');
                default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
            start = i + 1;
        }
        out.append(value, start, value.length()).append('"');
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The {@code task_notifications} message for a task event (docs/redis.md). */
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

        /** This notification as JSON, as {@link WireEvent#json()} writes events. */
        public String json() {
            StringBuilder out = new StringBuilder(160).append("{\"action\":");
            string(out, action);
            taskFields(out, taskId, taskType, priority, status, agentId);
            return out.append('}').toString();
        }
    }
}
