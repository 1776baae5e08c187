package dev.baton.engine;

import java.util.List;

/**
 * What an operator set for one task type at runtime ({@code PUT /v1/types/{type}}). A null field
 * falls back to the configured value; the whole record replaces the previous one. Journaled with a
 * {@link EventType#TYPE_UPDATED} event and kept in checkpoints, so it survives a restart.
 *
 * @param paused        claims skip the type; submits continue
 * @param maxRunning    fleet-wide cap on running tasks of the type, or null for the configured one
 * @param maxRetries    retries of newly submitted tasks, or null for the configured one
 * @param backoffMillis waits before each retry, the last repeating, or null for the configured ones
 * @param adaptive      an adaptive running cap ({@link AdaptiveLimit}), or null for the configured one
 */
public record TypeSettings(String type, boolean paused, Integer maxRunning, Integer maxRetries,
        List<Long> backoffMillis, AdaptiveSettings adaptive) {

    public TypeSettings {
        backoffMillis = backoffMillis == null ? null : List.copyOf(backoffMillis);
    }

    /** Settings without an adaptive cap. */
    public TypeSettings(String type, boolean paused, Integer maxRunning, Integer maxRetries, List<Long> backoffMillis) {
        this(type, paused, maxRunning, maxRetries, backoffMillis, null);
    }

    /** Nothing set: the type runs as configured. */
    boolean isEmpty() {
        return !paused && maxRunning == null && maxRetries == null && backoffMillis == null && adaptive == null;
    }

    /** One line for the event's {@code message}, e.g. {@code paused, max_running=2}. */
    String summary() {
        StringBuilder out = new StringBuilder(paused ? "paused" : "running");
        if (maxRunning != null) {
            out.append(", max_running=").append(maxRunning);
        }
        if (maxRetries != null) {
            out.append(", max_retries=").append(maxRetries);
        }
        if (backoffMillis != null) {
            out.append(", backoff_ms=").append(backoffMillis);
        }
        if (adaptive != null) {
            out.append(", ").append(adaptive.summary());
        }
        return out.toString();
    }
}
