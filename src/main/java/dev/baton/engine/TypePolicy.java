package dev.baton.engine;

/**
 * Per task type settings.
 *
 * @param maxRunning fleet-wide cap on running tasks of the type, or null for none
 * @param retry      the type's retry policy, or null for the default
 * @param adaptive   an adaptive running cap, or null for none
 */
public record TypePolicy(Integer maxRunning, RetryPolicy retry, AdaptiveSettings adaptive) {

    public static final TypePolicy DEFAULT = new TypePolicy(null, null, null);

    /** A policy without an adaptive cap. */
    public TypePolicy(Integer maxRunning, RetryPolicy retry) {
        this(maxRunning, retry, null);
    }
}
