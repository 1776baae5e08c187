package dev.baton.engine;

/**
 * Per task type settings.
 *
 * @param maxRunning fleet-wide cap on running tasks of the type, or null for none
 * @param retry      the type's retry policy, or null for the default
 */
public record TypePolicy(Integer maxRunning, RetryPolicy retry) {

    public static final TypePolicy DEFAULT = new TypePolicy(null, null);
}
