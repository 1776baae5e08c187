package dev.baton.config;

import dev.baton.engine.EventType;
import dev.baton.engine.TaskEvent;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ticker's pace: a tick interval while events come, a rest until something is due when none do. */
class EngineTickerTest {

    private static final long INTERVAL = 100;
    private static final long NOW = 1_700_000_000_000L;

    @Test
    void whileEventsComeItTicksEveryInterval() {
        assertEquals(INTERVAL, EngineTicker.waitMillis(NOW, Long.MAX_VALUE, NOW - 999, INTERVAL));
    }

    @Test
    void whenQuietItRestsUntilSomethingIsDueAtMostASecond() {
        long quietSince = NOW - EngineTicker.QUIET_MILLIS;
        assertEquals(EngineTicker.IDLE_TICK_MILLIS, EngineTicker.waitMillis(NOW, Long.MAX_VALUE, quietSince, INTERVAL));
        assertEquals(400, EngineTicker.waitMillis(NOW, NOW + 400, quietSince, INTERVAL),
                "the next tick comes when the deadline does");
        assertEquals(INTERVAL, EngineTicker.waitMillis(NOW, NOW + 50, quietSince, INTERVAL), "due within a tick");
        assertEquals(INTERVAL, EngineTicker.waitMillis(NOW, NOW - 5, quietSince, INTERVAL), "overdue");
    }

    @Test
    void anEventEndsARestAndIsNoted() throws InterruptedException {
        TickPacer pacer = new TickPacer();
        assertTrue(pacer.takeChanged(), "the first tick counts as a change");
        assertFalse(pacer.takeChanged());
        Thread ticker = new Thread(() -> pacer.rest(TimeUnit.HOURS.toMillis(1)));
        ticker.start();
        await().until(() -> ticker.getState() == Thread.State.TIMED_WAITING);
        pacer.accept(new TaskEvent(1, EventType.SUBMITTED, "t-1", "a", null, null, null, null, null, NOW, null, null));
        ticker.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(ticker.isAlive(), "the event woke the resting ticker");
        assertTrue(pacer.takeChanged());
    }

    @Test
    void anEventBeforeTheRestMeansNoRest() {
        TickPacer pacer = new TickPacer();
        pacer.takeChanged();
        pacer.accept(new TaskEvent(1, EventType.SUBMITTED, "t-1", "a", null, null, null, null, null, NOW, null, null));
        pacer.rest(TimeUnit.HOURS.toMillis(1)); // returns at once, or the test never ends
        assertTrue(pacer.takeChanged());
    }
}
