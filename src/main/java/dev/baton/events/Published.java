package dev.baton.events;

import dev.baton.engine.TaskEvent;

/**
 * An engine event ready for the fan-out, shared by every consumer and subscriber. Its wire shape,
 * JSON and SSE text are each made the first time something needs them, then kept: with nobody
 * listening (no SSE stream, no broker, nobody on Redis pub/sub) an event is never serialised, and
 * the replay ring serialises only what a replay asks for. Two threads may make one of them at
 * once; they make equal values, and the volatile write publishes the value whole.
 */
public final class Published {

    private final TaskEvent event;
    private volatile WireEvent wire;
    private volatile String json;
    private volatile byte[] sse;

    /** @param event the event, without its task and agent records */
    public Published(TaskEvent event) {
        this.event = event;
    }

    public TaskEvent event() {
        return event;
    }

    /** The event's wire shape (docs/events.md). */
    public WireEvent wire() {
        WireEvent shape = wire;
        if (shape == null) {
            shape = WireEvent.of(event);
            wire = shape;
        }
        return shape;
    }

    /** The {@link WireEvent} as JSON. */
    public String json() {
        String text = json;
        if (text == null) {
            text = wire().json();
            json = text;
        }
        return text;
    }

    /** The event as server-sent event text, for every SSE subscriber: the same array every time. */
    public byte[] sse() {
        byte[] bytes = sse;
        if (bytes == null) {
            bytes = SseText.event(event.seq(), event.type().wireName(), json());
            sse = bytes;
        }
        return bytes;
    }

    /** Whether its JSON was made: something read it (tests). */
    boolean serialised() {
        return json != null;
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
