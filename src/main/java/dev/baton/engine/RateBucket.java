package dev.baton.engine;

/**
 * The budget of one {@code rate_key}: a token bucket counting credit in cost units × window
 * millis, so a refill is one multiply and nothing rounds ({@code rate} credit per millisecond,
 * {@code burst × window} at most), and the key's holding queue ({@link #held}) of ready tasks it
 * cannot pay for yet. Owned by {@link KeyLimits}; not thread-safe.
 */
final class RateBucket {

    final String key;
    /** The limit in effect, or null; set through {@link #rule(LimitSettings)}, which keeps the figures below. */
    LimitSettings rule;
    /** The rule's figures as plain longs (0 without a rule), so the claim's affordability check reads only this object. */
    private long window;
    private long capacity;
    private long burst;
    private long rate;
    long credit;
    long updatedAt;
    /** Cost of this key's tasks in lanes, not held: the credit they will spend first. */
    long queuedCost;
    long spent;
    int tasks;
    final TaskChain held = new TaskChain();
    long armedAt = Long.MAX_VALUE;
    int stamp;

    RateBucket(String key) {
        this.key = key;
    }

    void rule(LimitSettings limit) {
        rule = limit;
        window = limit == null ? 0 : limit.windowMillis();
        burst = limit == null ? 0 : limit.capacity();
        capacity = burst * window;
        rate = limit == null ? 0 : limit.rate();
    }

    long window() {
        return window;
    }

    /** The capacity in credit (cost units × window millis). */
    long capacity() {
        return capacity;
    }

    /** The capacity in cost units (the burst). */
    long burst() {
        return burst;
    }

    /** Credit earned per millisecond. */
    long rate() {
        return rate;
    }

    /** Credit earned since the last look, up to the capacity; never overflows (rate, window and burst are bounded). */
    static void refresh(RateBucket bucket, long now) {
        long elapsed = now - bucket.updatedAt;
        if (elapsed <= 0 || bucket.rule == null) {
            return;
        }
        bucket.updatedAt = now;
        long gap = bucket.capacity() - bucket.credit;
        if (gap <= 0) {
            return;
        }
        long rate = bucket.rate;
        bucket.credit = elapsed >= (gap + rate - 1) / rate ? bucket.capacity() : bucket.credit + elapsed * rate;
    }

    static boolean full(RateBucket bucket, long now) {
        if (bucket.rule == null) {
            return true;
        }
        refresh(bucket, now);
        return bucket.credit >= bucket.capacity();
    }

    /** A bucket's rule changed: its credit keeps its share of the capacity (a new bucket starts full). */
    static void rebase(RateBucket bucket, LimitSettings before, LimitSettings after, long now) {
        double share = before == null ? 1 : (double) bucket.credit / (before.capacity() * before.windowMillis());
        bucket.rule(after);
        bucket.updatedAt = now;
        bucket.credit = after == null ? 0 : (long) Math.min(share * bucket.capacity(), bucket.capacity());
    }
}
