package dev.baton.analytics;

/**
 * One series' last 24 hours (a task type, an agent, or everything): a ring of {@value #MINUTES}
 * minute buckets indexed by epoch minute, each reused when its minute comes round again, so the
 * memory is bounded whatever the traffic. Histograms are allocated only for minutes that have a
 * sample. Not thread-safe: {@link Analytics} locks.
 */
final class Series {

    static final int MINUTES = 1440;
    static final long MINUTE_MILLIS = 60_000;

    /** The figures of one minute. */
    static final class Minute {
        long minute = -1;
        long submitted;
        long completed;
        long failed;
        long expired;
        /** Slot-milliseconds spent running tasks in this minute. */
        long busyMillis;
        /** Slot-milliseconds live agents offered in this minute. */
        long capacityMillis;
        LogHistogram queueWait;
        LogHistogram runTime;

        void reset(long minute) {
            this.minute = minute;
            submitted = completed = failed = expired = busyMillis = capacityMillis = 0;
            queueWait = null;
            runTime = null;
        }

        LogHistogram queueWait() {
            if (queueWait == null) {
                queueWait = new LogHistogram();
            }
            return queueWait;
        }

        LogHistogram runTime() {
            if (runTime == null) {
                runTime = new LogHistogram();
            }
            return runTime;
        }
    }

    private final Minute[] ring = new Minute[MINUTES];
    /** The newest minute a bucket was taken for. */
    private long newest = Long.MIN_VALUE;

    /** Where {@code minute} lives in the ring. */
    static int slot(long minute) {
        return (int) Math.floorMod(minute, (long) MINUTES);
    }

    long newest() {
        return newest;
    }

    /** The bucket of {@code minute} (cleared if it held an older minute), or null if the ring holds a newer one there. */
    Minute at(long minute) {
        int slot = slot(minute);
        Minute bucket = ring[slot];
        if (bucket == null) {
            bucket = new Minute();
            ring[slot] = bucket;
        }
        if (bucket.minute > minute) {
            return null;
        }
        if (bucket.minute < minute) {
            bucket.reset(minute);
        }
        newest = Math.max(newest, minute);
        return bucket;
    }

    Minute atMillis(long millis) {
        return at(Math.floorDiv(millis, MINUTE_MILLIS));
    }

    /** The bucket of {@code minute} if the ring holds it, without touching it. */
    Minute peek(long minute) {
        Minute bucket = ring[slot(minute)];
        return bucket != null && bucket.minute == minute ? bucket : null;
    }

    /** Adds {@code weight} × the milliseconds of [{@code from}, {@code to}) to busy or capacity, split by minute. */
    void accrue(long from, long to, long weight, boolean busy) {
        long start = from;
        while (start < to) {
            long end = Math.min(to, (Math.floorDiv(start, MINUTE_MILLIS) + 1) * MINUTE_MILLIS);
            Minute bucket = atMillis(start);
            if (bucket != null) {
                if (busy) {
                    bucket.busyMillis += weight * (end - start);
                } else {
                    bucket.capacityMillis += weight * (end - start);
                }
            }
            start = end;
        }
    }

}
