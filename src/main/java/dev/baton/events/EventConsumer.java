package dev.baton.events;

import io.netty.util.concurrent.EventExecutor;
import java.util.List;

/**
 * Something the hub hands each dispatched batch to, in {@code seq} order, on the hub's event loop.
 * It must only enqueue: never block, never call the engine. A consumer that cannot keep up drops
 * and counts, it never slows the hub.
 */
interface EventConsumer {

    void publish(List<Published> batch);

    /** The hub starts, dispatching on {@code loop}: a consumer may do its own work there (never blocking). */
    default void start(EventExecutor loop) {
    }

    /** Stop its own thread, if any. Safe to call twice or unstarted. */
    default void stop() {
    }
}
