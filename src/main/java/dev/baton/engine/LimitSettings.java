package dev.baton.engine;

/**
 * A limit on the tasks whose keys match {@code key}: an exact key ({@code openai:gpt-x}) or a glob
 * ({@code openai:*}, {@code *} matching any run of characters). Each concrete key gets its own
 * budget under the most specific pattern that matches it. Set in configuration and at runtime
 * ({@code PUT /v1/limits/{key}}); a runtime setting is journaled with a
 * {@link EventType#LIMIT_UPDATED} event and kept in checkpoints, so it survives a restart.
 *
 * @param key          the key or key pattern
 * @param rate         cost units a {@code rate_key} may spend per window (a token bucket), or null for no rate limit
 * @param windowMillis the window of {@code rate}; set with {@code rate}
 * @param burst        the bucket's capacity, or null for {@code rate}
 * @param maxRunning   running tasks per {@code concurrency_key}, or null for no fixed cap
 * @param adaptive     an adaptive running cap per {@code concurrency_key} ({@link AdaptiveLimit}), or null for none;
 *                     a key's cap in effect is the lower of it and {@code maxRunning}
 */
public record LimitSettings(String key, Long rate, Long windowMillis, Long burst, Integer maxRunning,
        AdaptiveSettings adaptive) {

    public static final long MAX_RATE = 1_000_000_000L;
    public static final long MAX_WINDOW_MILLIS = 30L * 24 * 3_600_000;

    /** A limit without an adaptive cap. */
    public LimitSettings(String key, Long rate, Long windowMillis, Long burst, Integer maxRunning) {
        this(key, rate, windowMillis, burst, maxRunning, null);
    }

    /** Nothing set: the pattern limits nothing (a runtime setting that is removed). */
    boolean isEmpty() {
        return rate == null && !limitsConcurrency();
    }

    /** A running cap per {@code concurrency_key} applies: fixed, adaptive or both. */
    boolean limitsConcurrency() {
        return maxRunning != null || adaptive != null;
    }

    boolean limitsRate() {
        return rate != null;
    }

    /** The bucket's capacity in cost units. */
    public long capacity() {
        return burst != null ? burst : rate;
    }

    /** This setting's fields, with the absent ones taken from {@code base} (the configured setting), if any. */
    LimitSettings over(LimitSettings base) {
        if (base == null) {
            return this;
        }
        boolean ownRate = rate != null;
        return new LimitSettings(key, ownRate ? rate : base.rate, ownRate ? windowMillis : base.windowMillis,
                ownRate ? burst : base.burst, maxRunning != null ? maxRunning : base.maxRunning,
                adaptive != null ? adaptive : base.adaptive);
    }

    /** One line for the event's {@code message}, e.g. {@code rate=10/60000ms burst=20, max_running=2, adaptive=1..8}. */
    String summary() {
        StringBuilder out = new StringBuilder();
        if (rate != null) {
            out.append("rate=").append(rate).append('/').append(windowMillis).append("ms burst=").append(capacity());
        }
        if (maxRunning != null) {
            out.append(out.length() == 0 ? "" : ", ").append("max_running=").append(maxRunning);
        }
        if (adaptive != null) {
            out.append(out.length() == 0 ? "" : ", ").append(adaptive.summary());
        }
        return out.length() == 0 ? "removed" : out.toString();
    }
}
