package dev.baton.engine;

/**
 * Counts per second over the last minute, in a ring of one-second buckets. The caller passes the
 * time; buckets older than the window are cleared lazily as time moves on.
 */
final class RateWindow {

    static final int WINDOW_SECONDS = 60;

    private final long[] counts = new long[WINDOW_SECONDS];
    private final long[] bucketSecond = new long[WINDOW_SECONDS];

    void add(long nowMillis) {
        long second = nowMillis / 1000;
        int i = (int) Math.floorMod(second, WINDOW_SECONDS);
        if (bucketSecond[i] != second) {
            bucketSecond[i] = second;
            counts[i] = 0;
        }
        counts[i]++;
    }

    /** Events in the last {@link #WINDOW_SECONDS} whole seconds up to now. */
    long total(long nowMillis) {
        long second = nowMillis / 1000;
        long sum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (second - bucketSecond[i] < WINDOW_SECONDS && bucketSecond[i] <= second) {
                sum += counts[i];
            }
        }
        return sum;
    }

    double perSecond(long nowMillis) {
        return total(nowMillis) / (double) WINDOW_SECONDS;
    }
}
