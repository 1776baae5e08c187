package dev.baton.engine;

/**
 * Where the coordinator appends its events, in {@code seq} order, while it holds its lock. An
 * implementation must be quick and must not block or call back into the coordinator: it hands
 * the event to a queue and returns.
 */
@FunctionalInterface
public interface EventSink {

    void accept(TaskEvent event);

    EventSink NONE = event -> { };
}
