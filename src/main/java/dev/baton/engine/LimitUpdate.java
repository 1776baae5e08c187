package dev.baton.engine;

/** A limit after it changed (null: removed, nothing configured for its pattern), and the {@code seq} of the change's event. */
public record LimitUpdate(String key, LimitView limit, long seq) {
}
