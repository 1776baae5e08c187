package dev.baton.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.AgentSpec;
import dev.baton.engine.EventType;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskSpec;
import dev.baton.engine.TaskStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The analytics fed events by hand, with explicit times. */
class AnalyticsTest {

    private static final long T0 = 1_800_000_000_000L - 1_800_000_000_000L % 60_000; // a minute boundary
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Analytics analytics = new Analytics(new Analytics.Settings(1024, 100), Clock.systemUTC(), registry);
    private long seq;

    @Test
    void countsAndPercentilesPerTypeAgentAndTotal() {
        for (int i = 0; i < 10; i++) {
            String id = "t" + i;
            analytics.record(task(EventType.SUBMITTED, id, "scrape", null, T0, null, null));
            // waits 100 ms * (i + 1), runs 1 s * (i + 1)
            long assigned = T0 + 100L * (i + 1);
            analytics.record(task(EventType.ASSIGNED, id, "scrape", "a1", assigned, assigned, null));
            long ended = assigned + 1000L * (i + 1);
            analytics.record(task(i < 8 ? EventType.COMPLETED : EventType.FAILED, id, "scrape", "a1", ended, assigned, ended));
        }
        Analytics.Report byType = analytics.query("scrape", null, T0, T0 + 60_000, 60_000, T0 + 60_000);
        assertEquals(1, byType.points().size());
        Analytics.Point point = byType.points().get(0);
        assertEquals(10, point.submitted());
        assertEquals(8, point.completed());
        assertEquals(2, point.failed());
        assertEquals(10, point.queueWaitMillis().count());
        assertWithin(500, point.queueWaitMillis().p50());
        assertWithin(1000, point.queueWaitMillis().p95());
        assertWithin(5000, point.runTimeMillis().p50());
        assertWithin(10_000, point.runTimeMillis().p99());

        Analytics.Point byAgent = analytics.query(null, "a1", T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0);
        assertEquals(8, byAgent.completed());
        assertEquals(0, byAgent.submitted(), "submitted has no agent yet");
        assertEquals(10, analytics.query(null, null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).submitted());
        assertEquals(10, registry.find("baton.task.run.time").tag("type", "scrape").timer().count());
        assertTrue(analytics.query("other", null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).queueWaitMillis().p50() == null);
    }

    @Test
    void utilisationIsRunningSlotTimeOverOfferedSlotTime() {
        analytics.record(agent(EventType.AGENT_REGISTERED, "a1", 2, T0));
        analytics.record(task(EventType.ASSIGNED, "x", "llm", "a1", T0, T0, null));
        analytics.record(task(EventType.COMPLETED, "x", "llm", "a1", T0 + 30_000, T0, T0 + 30_000));
        analytics.accrue(T0 + 60_000);
        // one of two slots for half of the minute: a quarter
        assertEquals(0.25, analytics.query(null, "a1", T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).utilisation());
        assertEquals(0.25, analytics.query("llm", null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).utilisation());
        analytics.record(agent(EventType.AGENT_LEFT, "a1", 2, T0 + 60_000));
        assertNull(analytics.query(null, "a1", T0 + 120_000, T0 + 180_000, 60_000, T0 + 180_000).points().get(0).utilisation());
    }

    @Test
    void aRunAcrossMinutesIsSplitBetweenThem() {
        analytics.record(agent(EventType.AGENT_REGISTERED, "a1", 1, T0));
        analytics.record(task(EventType.ASSIGNED, "x", "llm", "a1", T0 + 30_000, T0 + 30_000, null));
        analytics.accrue(T0 + 90_000);
        List<Analytics.Point> points = analytics.query(null, "a1", T0, T0 + 120_000, 60_000, T0 + 120_000).points();
        assertEquals(0.5, points.get(0).utilisation());
        assertEquals(1.0, points.get(1).utilisation(), "still running at the read: accrued up to it");
    }

    @Test
    void stepsAddMinutesUpAndTheRangeIsTheLast24Hours() {
        for (int minute = 0; minute < 10; minute++) {
            analytics.record(task(EventType.SUBMITTED, "s" + minute, "t", null, T0 + minute * 60_000L, null, null));
        }
        Analytics.Report fives = analytics.query(null, null, T0, T0 + 600_000, 300_000, T0 + 600_000);
        assertEquals(List.of(5L, 5L), fives.points().stream().map(Analytics.Point::submitted).toList());
        assertEquals(300, fives.stepSeconds());
        long dayLater = T0 + 24 * 3_600_000L + 5 * 60_000;
        Analytics.Report late = analytics.query(null, null, T0, dayLater, 60_000, dayLater);
        assertEquals(1439, late.points().size(), "the 24 hours up to the read, less the minute of the read that to leaves out");
        assertEquals(4, late.points().stream().mapToLong(Analytics.Point::submitted).sum(), "the first minutes fell out");
    }

    @Test
    void aMinuteTwentyFourHoursOnReusesTheBucket() {
        analytics.record(task(EventType.SUBMITTED, "a", "t", null, T0, null, null));
        long dayLater = T0 + 24 * 3_600_000L;
        analytics.record(task(EventType.SUBMITTED, "b", "t", null, dayLater, null, null));
        analytics.record(task(EventType.SUBMITTED, "c", "t", null, T0 + 1000, null, null)); // late: the ring moved on
        assertEquals(1, analytics.query("t", null, dayLater, dayLater + 60_000, 60_000, dayLater + 60_000).points().get(0).submitted());
    }

    @Test
    void aSnapshotRestoresTheSameFigures() {
        analytics.record(agent(EventType.AGENT_REGISTERED, "a1", 4, T0));
        for (int i = 0; i < 5; i++) {
            analytics.record(task(EventType.SUBMITTED, "t" + i, "scrape", null, T0, null, null));
            analytics.record(task(EventType.ASSIGNED, "t" + i, "scrape", "a1", T0 + 10 * i, T0 + 10 * i, null));
            analytics.record(task(EventType.EXPIRED, "t" + i, "scrape", "a1", T0 + 40_000, T0 + 10 * i, null));
        }
        analytics.accrue(T0 + 60_000);
        Analytics.Report before = analytics.query("scrape", null, T0, T0 + 60_000, 60_000, T0 + 60_000);
        Map<String, String> minutes = analytics.allMinutes();

        Analytics restored = new Analytics(new Analytics.Settings(1024, 100), Clock.systemUTC(), new SimpleMeterRegistry());
        restored.restore(minutes);
        assertEquals(before, restored.query("scrape", null, T0, T0 + 60_000, 60_000, T0 + 60_000));
        assertEquals(5, restored.query(null, "a1", T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).expired());
        assertEquals(minutes, restored.allMinutes());
        restored.restore(Map.of("7", "not a minute"));
        assertEquals(0, restored.query(null, null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).submitted());
    }

    /** A checkpoint writes the minutes recording touched since the last one, a field per ring slot, not the 24 hours. */
    @Test
    void aCheckpointTakesOnlyTheMinutesThatChangedSinceTheLast() {
        long day = 24 * 3_600_000L;
        for (int minute = 0; minute < 30; minute++) {
            analytics.record(task(EventType.SUBMITTED, "s" + minute, "t", null, T0 + minute * 60_000L, null, null));
        }
        assertEquals(30, analytics.changedMinutes().size());
        assertEquals(Map.of(), analytics.changedMinutes(), "nothing changed since");

        analytics.record(task(EventType.SUBMITTED, "late", "t", null, T0 + 29 * 60_000L + 5, null, null));
        Map<String, String> changed = analytics.changedMinutes();
        assertEquals(Set.of(Integer.toString(Series.slot(T0 / 60_000 + 29))), changed.keySet());
        assertTrue(changed.values().iterator().next().contains("S type:t\n2 0 0 0"), changed.toString());

        // a day on, the same slot holds the new minute: the field is overwritten, never left to grow
        analytics.record(task(EventType.SUBMITTED, "next day", "t", null, T0 + day, null, null));
        Map<String, String> nextDay = analytics.changedMinutes();
        assertEquals(Set.of(Integer.toString(Series.slot(T0 / 60_000))), nextDay.keySet());
        assertTrue(nextDay.values().iterator().next().startsWith("M " + (T0 + day) / 60_000 + "\n"));
    }

    /** The whole-text snapshot a Baton before the minute hash wrote is read back. */
    @Test
    void anEarlierBatonsWholeTextSnapshotIsRestored() {
        long minute = T0 / 60_000;
        analytics.restore(Map.of("legacy", "baton-analytics 1\nS all\n" + minute + " 4 3 1 0 0 0 - -\nS type:t\n"
                + minute + " 4 3 1 0 0 0 10:2 -\n"));
        Analytics.Point point = analytics.query("t", null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0);
        assertEquals(4, point.submitted());
        assertEquals(3, point.completed());
        assertEquals(2, point.queueWaitMillis().count());
    }

    @Test
    void aFullRingDropsAndCountsWhatItCannotHoldThenTakesEventsAgainOnceRecorded() {
        Analytics small = new Analytics(new Analytics.Settings(4, 100), Clock.systemUTC(), registry);
        for (int i = 0; i < 6; i++) {
            small.accept(task(EventType.SUBMITTED, "t" + i, "t", null, T0, null, null));
        }
        assertEquals(2.0, registry.find("baton.analytics.dropped").counter().count());
        assertEquals(4, small.query("t", null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).submitted(),
                "a read records what waits first");
        for (int i = 0; i < 7; i++) { // round the ring again, past where it wrapped
            small.accept(task(EventType.SUBMITTED, "u" + i, "t", null, T0, null, null));
            small.drain();
        }
        assertEquals(11, small.query("t", null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).submitted());
        assertEquals(2.0, registry.find("baton.analytics.dropped").counter().count());
    }

    @Test
    void eventsTheAnalyticsDoesNotRecordTakeNoRoomInTheRing() {
        Analytics small = new Analytics(new Analytics.Settings(2, 100), Clock.systemUTC(), registry);
        for (int i = 0; i < 10; i++) {
            small.accept(task(EventType.PROGRESS, "t", "t", "a1", T0, T0, null));
        }
        small.accept(task(EventType.SUBMITTED, "t", "t", null, T0, null, null));
        assertEquals(0.0, registry.find("baton.analytics.dropped").counter().count());
        assertEquals(1, small.query("t", null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).submitted());
    }

    /** What the engine's thread pays: no allocation per event (a queue would allocate a node each). */
    @Test
    void handingAnEventToTheRecordingAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Analytics big = new Analytics(new Analytics.Settings(1 << 16, 100), Clock.systemUTC(), registry);
        TaskEvent[] events = new TaskEvent[50_000];
        for (int i = 0; i < events.length; i++) {
            events[i] = task(i % 3 == 0 ? EventType.SUBMITTED : i % 3 == 1 ? EventType.ASSIGNED : EventType.COMPLETED,
                    "t" + i / 3, "t", "a1", T0 + i, T0 + i, null);
        }
        for (int round = 0; round < 3; round++) { // warm up, then measure the last round
            long before = threads.getCurrentThreadAllocatedBytes();
            for (TaskEvent event : events) {
                big.accept(event);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            big.drain();
            if (round == 2) {
                assertTrue(allocated < events.length / 10, "allocated " + allocated + " bytes for " + events.length + " events");
            }
        }
        assertEquals(3 * 16_667, big.query("t", null, T0, T0 + 60_000, 60_000, T0 + 60_000).points().get(0).submitted(),
                "every event of the three rounds recorded");
    }

    @Test
    void histogramBinsStayWithinAFifthOfTheValue() {
        for (long v : new long[] {1, 2, 3, 7, 100, 999, 12_345, 3_600_000}) {
            LogHistogram h = new LogHistogram();
            h.record(v);
            long reported = h.percentile(0.5);
            assertTrue(reported >= v && reported <= Math.ceil(v * 1.19) + 1, v + " reported as " + reported);
        }
        LogHistogram zero = new LogHistogram();
        zero.record(0);
        assertEquals(0L, zero.percentile(0.99));
    }

    private static void assertWithin(long expected, Long actual) {
        assertTrue(actual != null && actual >= expected && actual <= expected * 1.19 + 1, "expected about " + expected + ", was " + actual);
    }

    private TaskEvent task(EventType type, String id, String taskType, String agent, long at, Long startedAt, Long completedAt) {
        TaskStatus status = switch (type) {
            case SUBMITTED -> TaskStatus.PENDING;
            case ASSIGNED -> TaskStatus.ASSIGNED;
            case COMPLETED -> TaskStatus.COMPLETED;
            case FAILED -> TaskStatus.FAILED;
            default -> TaskStatus.PENDING;
        };
        TaskSpec spec = new TaskSpec(id, taskType, null, Priority.MEDIUM, null, List.of(), null, null, false);
        TaskRecord record = new TaskRecord(spec, 3, T0, status, Priority.MEDIUM, null, 1, 0, 0, 0, null, null, null,
                startedAt, completedAt, null, agent, false, null, false, T0, seq, List.of(), List.of());
        return new TaskEvent(++seq, type, id, taskType, Priority.MEDIUM, status, agent, null, null, at, record, null);
    }

    private TaskEvent agent(EventType type, String id, int slots, long at) {
        AgentRecord record = new AgentRecord(new AgentSpec(id, Set.of("general"), slots, Map.of()), at, at,
                null, Map.of());
        return new TaskEvent(++seq, type, null, null, null, null, id, null, null, at, null,
                type == EventType.AGENT_REGISTERED ? record : null);
    }
}
