package dev.baton.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clock every {@code @QuarkusTest} app runs on: real time plus an offset that tests may only
 * move forward ({@link #advance}), so that time-driven behaviour (aging, lease expiry, backoff)
 * is shown without waiting for it. Never moving back keeps the engine's time monotonic across
 * the test classes that share one app.
 */
public final class TestClock extends Clock {

    public static final TestClock INSTANCE = new TestClock();

    private final AtomicLong offsetMillis = new AtomicLong();

    private TestClock() {
    }

    public static void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the test clock only moves forward");
        }
        INSTANCE.offsetMillis.addAndGet(by.toMillis());
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the test clock is UTC only");
    }
}
