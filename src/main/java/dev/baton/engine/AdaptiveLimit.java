package dev.baton.engine;

import java.util.Locale;

/**
 * The adaptive running cap of one task type, or of one {@code concurrency_key}: additive increase, multiplicative decrease (AIMD)
 * over how its runs end, between the floor and the ceiling of its {@link AdaptiveSettings}.
 *
 * <ul>
 *   <li>It starts at the ceiling, as a fixed {@code max_running} would (and again after a restart:
 *   this state is not journaled).</li>
 *   <li>A run is <b>bad</b> when it failed or its lease expired, or when it was <b>slow</b>: over the
 *   setting's target run time, else over {@value #TOLERANCE}× the learned baseline (the mean of the
 *   first {@value #WARM_UP} successful runs, then an EWMA of successful runs that were not slow;
 *   slow ones pull it only slightly, so a lasting change of the work is learned in time).</li>
 *   <li>A bad run, when {@value #BAD_RUNS} of the last {@value #WINDOW} runs were bad, multiplies the
 *   cap by {@value #DECREASE} (not below the floor). Runs that started before the last decrease ran
 *   under the old load and are not counted at all, so a burst of failures lowers it once, and it
 *   lowers again only if runs started since fail too.</li>
 *   <li>A good run adds {@code 1 / cap} (one more per {@code cap} good runs) up to the ceiling, when
 *   the type used at least half its cap (an idle type's cap does not climb without evidence).</li>
 * </ul>
 *
 * O(1) per run and no allocation but the reason's text when the whole cap moves. Not thread-safe:
 * used under the coordinator's lock.
 */
final class AdaptiveLimit {

    static final double DECREASE = 0.75;
    static final double TOLERANCE = 2.0;
    static final int WINDOW = 10;
    static final int BAD_RUNS = 3;
    static final int WARM_UP = 5;
    private static final double ALPHA = 0.1;
    private static final double DRIFT = 0.01;
    private static final int MASK = (1 << WINDOW) - 1;

    private AdaptiveSettings settings;
    private double limit;
    private int cap;
    private double baseline = Double.NaN;
    private long samples;
    /** The last {@link #WINDOW} counted runs, newest in bit 0. */
    private int failedBits;
    private int slowBits;
    private int seen;
    private long lastDecreaseAt = Long.MIN_VALUE;
    private String reason = "started at the ceiling";
    private Long changedAt;

    AdaptiveLimit(AdaptiveSettings settings) {
        this.settings = settings;
        this.limit = settings.max();
        this.cap = settings.max();
    }

    AdaptiveSettings settings() {
        return settings;
    }

    /**
     * The state under {@code settings}: {@code state} itself, retuned when its settings differ; a new
     * one when there was none; null when {@code settings} is.
     */
    static AdaptiveLimit follow(AdaptiveLimit state, AdaptiveSettings settings, long now) {
        if (settings == null) {
            return null;
        }
        if (state == null) {
            return new AdaptiveLimit(settings);
        }
        if (!state.settings.equals(settings)) {
            state.retune(settings, now);
        }
        return state;
    }

    /** The cap in effect now. */
    int cap() {
        return cap;
    }

    /** New bounds or target: the cap stays where it was, moved inside the new bounds; the baseline is kept. */
    void retune(AdaptiveSettings newSettings, long now) {
        settings = newSettings;
        double clamped = Math.max(newSettings.min(), Math.min(newSettings.max(), limit));
        if (clamped != limit) {
            limit = clamped;
            reason = "moved inside the new bounds " + newSettings.min() + ".." + newSettings.max();
            changedAt = now;
        }
        cap = (int) limit;
    }

    /**
     * A run of the type (or key) ended, started at {@code startedAt}; {@code running} counts its runs
     * including this one. Answers whether the whole cap moved.
     */
    boolean runEnded(long startedAt, long now, boolean failed, int running) {
        long took = Math.max(0, now - startedAt);
        boolean slow = !failed && isSlow(took);
        if (!failed) {
            learn(took, slow);
        }
        if (startedAt < lastDecreaseAt) {
            return false; // it ran under the load before the last decrease
        }
        failedBits = (failedBits << 1 | (failed ? 1 : 0)) & MASK;
        slowBits = (slowBits << 1 | (slow ? 1 : 0)) & MASK;
        seen = Math.min(WINDOW, seen + 1);
        int before = cap;
        if (failed || slow) {
            if (Integer.bitCount(failedBits | slowBits) >= BAD_RUNS && limit > settings.min()) {
                limit = Math.max(settings.min(), limit * DECREASE);
                lastDecreaseAt = now;
                cap = (int) limit;
                if (cap != before) {
                    reason = failed ? window() : slowness(took) + "; " + window();
                    changedAt = now;
                }
                failedBits = 0;
                slowBits = 0;
                seen = 0;
            }
        } else if (running * 2 >= cap && limit < settings.max()) {
            limit = Math.min(settings.max(), limit + 1 / limit);
            cap = (int) limit;
            if (cap != before) {
                reason = "runs healthy: " + window();
                changedAt = now;
            }
        }
        return cap != before;
    }

    AdaptiveView view() {
        return new AdaptiveView(settings.min(), settings.max(), settings.targetRunTimeMillis(), cap, reason, changedAt,
                Double.isNaN(baseline) ? null : baseline);
    }

    /** Why the cap moved last, e.g. {@code 3 of the last 10 runs failed}. */
    String reason() {
        return reason;
    }

    private boolean isSlow(long took) {
        Long target = settings.targetRunTimeMillis();
        if (target != null) {
            return took > target;
        }
        return samples >= WARM_UP && took > TOLERANCE * baseline;
    }

    private void learn(long took, boolean slow) {
        samples++;
        if (samples <= WARM_UP) {
            baseline = samples == 1 ? took : baseline + (took - baseline) / samples;
        } else {
            baseline += (slow ? DRIFT : ALPHA) * (took - baseline);
        }
    }

    /** The counted runs, e.g. {@code 3 of the last 10 runs failed}. */
    private String window() {
        int failed = Integer.bitCount(failedBits);
        int slow = Integer.bitCount(slowBits);
        String last = "the last " + seen + (seen == 1 ? " run" : " runs");
        if (failed == 0 && slow == 0) {
            return "none of " + last + " failed or ran slow";
        }
        if (slow == 0) {
            return failed + " of " + last + " failed";
        }
        return failed == 0 ? slow + " of " + last + " ran slow" : failed + " failed and " + slow + " ran slow of " + last;
    }

    private String slowness(long took) {
        Long target = settings.targetRunTimeMillis();
        return target != null ? "run time " + duration(took) + " over the " + duration(target) + " target"
                : "run time " + duration(took) + " over " + (int) TOLERANCE + "× the " + duration(Math.round(baseline))
                        + " baseline";
    }

    static String duration(long millis) {
        return millis < 1_000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
