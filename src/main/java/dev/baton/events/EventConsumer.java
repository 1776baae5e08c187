package dev.baton.events;

import java.util.List;

/**
 * Something the hub hands each dispatched batch to, in {@code seq} order, on its dispatcher thread.
 * It must only enqueue: never block, never call the engine. A consumer that cannot keep up drops
 * and counts, it never slows the hub.
 */
interface EventConsumer {

    void publish(List<Published> batch);

    /** Stop its own thread, if any. Safe to call twice or unstarted. */
    default void stop() {
    }
}
