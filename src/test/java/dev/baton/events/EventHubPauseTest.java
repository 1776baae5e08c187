package dev.baton.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The dispatcher's pause after a batch: short for a trickle, longer under load, never past the setting. */
class EventHubPauseTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aTrickleWaitsAMillisecondAndLoadWaitsLongerUpToTheSetting() {
        assertEquals(2 * MS, EventHub.pauseAfter(1, 6 * MS));
        assertEquals(2 * MS, EventHub.pauseAfter(8, 6 * MS));
        assertEquals(4 * MS, EventHub.pauseAfter(9, 6 * MS));
        assertEquals(6 * MS, EventHub.pauseAfter(24, 6 * MS));
        assertEquals(6 * MS, EventHub.pauseAfter(1_000, 6 * MS));
        assertEquals(MS / 2, EventHub.pauseAfter(1_000, MS / 2), "a setting under a millisecond caps even a trickle");
    }
}
