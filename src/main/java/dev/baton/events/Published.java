package dev.baton.events;

import dev.baton.engine.TaskEvent;

/**
 * An engine event ready for the fan-out: serialized once by the hub's dispatcher, then shared by
 * every consumer and subscriber.
 *
 * @param json the {@link WireEvent} as JSON
 * @param sse  the event as server-sent event text, for every SSE subscriber
 */
public record Published(TaskEvent event, WireEvent wire, String json, byte[] sse) {

    public Published(TaskEvent event, WireEvent wire, String json) {
        this(event, wire, json, SseText.event(event.seq(), wire.event(), json));
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
