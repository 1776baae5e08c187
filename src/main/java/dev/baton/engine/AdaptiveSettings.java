package dev.baton.engine;

/**
 * An adaptive running cap for a task type or for each {@code concurrency_key} a limit pattern
 * matches: Baton moves the cap between {@code min} and {@code max} by how the runs end
 * ({@link AdaptiveLimit}). Part of {@link TypeSettings} and {@link LimitSettings} (journaled,
 * checkpointed) and of the configured {@link TypePolicy} and limits.
 *
 * @param min                 the floor: the cap never goes below it
 * @param max                 the ceiling, and where the cap starts
 * @param targetRunTimeMillis a run slower than this is slow; null: slower than twice the learned baseline
 */
public record AdaptiveSettings(int min, int max, Long targetRunTimeMillis) {

    /** The highest ceiling accepted. */
    public static final int MAX_CEILING = 100_000;
    static final long MAX_TARGET_MILLIS = 30L * 24 * 3_600_000;

    /** Bad input is an {@link InvalidRequestException} naming the field ({@code adaptive.min}, ...). */
    public void validate() {
        if (min < 1 || min > MAX_CEILING) {
            throw new InvalidRequestException("adaptive.min", "must be between 1 and " + MAX_CEILING + ", was " + min);
        }
        if (max < min || max > MAX_CEILING) {
            throw new InvalidRequestException("adaptive.max", "must be between adaptive.min (" + min + ") and "
                    + MAX_CEILING + ", was " + max);
        }
        if (targetRunTimeMillis != null && (targetRunTimeMillis < 1 || targetRunTimeMillis > MAX_TARGET_MILLIS)) {
            throw new InvalidRequestException("adaptive.target_run_time", "must be between 1 ms and 30 days, was "
                    + targetRunTimeMillis + " ms");
        }
    }

    /** For the event's {@code message}, e.g. {@code adaptive=1..50 target=30000ms}. */
    String summary() {
        return "adaptive=" + min + ".." + max + (targetRunTimeMillis == null ? "" : " target=" + targetRunTimeMillis + "ms");
    }
}
