package dev.baton.analytics;

import java.util.Arrays;

/**
 * A small bounded histogram of durations in milliseconds: {@value #BINS} log-scaled bins, four per
 * doubling (a value is reported within 19 % of itself), from 1 ms up to about 2^31 ms (25 days);
 * longer values land in the last bin. 0 ms has its own bin. Not thread-safe: its owner locks.
 */
final class LogHistogram {

    static final int BINS = 128;
    private static final int BINS_PER_DOUBLING = 4;

    private final long[] counts = new long[BINS];
    private long total;

    static int bin(long millis) {
        if (millis <= 0) {
            return 0;
        }
        int bin = 1 + (int) Math.floor(BINS_PER_DOUBLING * Math.log(millis) / Math.log(2));
        return Math.min(BINS - 1, bin);
    }

    /** The upper bound of a bin in milliseconds: what a percentile falling in it reports. */
    static long upperMillis(int bin) {
        return bin == 0 ? 0 : (long) Math.ceil(Math.pow(2, (double) bin / BINS_PER_DOUBLING));
    }

    void record(long millis) {
        counts[bin(millis)]++;
        total++;
    }

    void add(int bin, long count) {
        counts[bin] += count;
        total += count;
    }

    void addAll(LogHistogram other) {
        for (int i = 0; i < BINS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long total() {
        return total;
    }

    long count(int bin) {
        return counts[bin];
    }

    /** The value at {@code quantile} (0..1), or null when empty. */
    Long percentile(double quantile) {
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < BINS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return upperMillis(i);
            }
        }
        return upperMillis(BINS - 1);
    }

    void clear() {
        Arrays.fill(counts, 0);
        total = 0;
    }
}
