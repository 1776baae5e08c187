package dev.baton.events;

import dev.baton.engine.TaskEvent;

/**
 * An engine event ready for the fan-out: serialized once by the hub's dispatcher, then shared by
 * every consumer and subscriber. Its SSE text is made the first time a stream needs it, then
 * kept: most events reach no SSE subscriber (Redis pub/sub and the broker take the JSON).
 */
public final class Published {

    private final TaskEvent event;
    private final WireEvent wire;
    private final String json;
    private volatile byte[] sse;

    /**
     * @param event the event, without its task and agent records
     * @param wire  the event's wire shape
     * @param json  the {@link WireEvent} as JSON
     */
    public Published(TaskEvent event, WireEvent wire, String json) {
        this.event = event;
        this.wire = wire;
        this.json = json;
    }

    public TaskEvent event() {
        return event;
    }

    public WireEvent wire() {
        return wire;
    }

    /** The {@link WireEvent} as JSON. */
    public String json() {
        return json;
    }

    /** The event as server-sent event text, for every SSE subscriber: the same array every time. */
    public byte[] sse() {
        byte[] bytes = sse;
        if (bytes == null) {
            bytes = SseText.event(event.seq(), wire.event(), json);
            sse = bytes; // two threads may both make it, equal; the volatile write publishes it whole
        }
        return bytes;
    }

    public long seq() {
        return event.seq();
    }

    public boolean isTaskEvent() {
        return event.taskId() != null;
    }

    /** The task's last event: its stream ends after it. */
    public boolean isTerminal() {
        return event.status() != null && event.status().isTerminal() && event.taskId() != null;
    }
}
