package dev.baton.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recurring tasks ({@link ScheduleControl}) on the fake clock: one task per tick, catch-up, pause, restore. */
class ScheduleControlTest extends EngineHarness {

    private static final long SECOND = 1_000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    // T0 is 2023-11-14T22:13:20Z; start on a whole hour so that cron ticks are easy to name
    private static final long H0 = (T0 / HOUR + 1) * HOUR;

    static ScheduleTemplate template(String type) {
        return new ScheduleTemplate(type, Priority.HIGH, "{\"n\":1}", "nightly report", 2, false);
    }

    static ScheduleSpec every(String id, long millis, ScheduleSpec.CatchUp catchUp) {
        return new ScheduleSpec(id, null, millis, null, catchUp, template("report"));
    }

    static ScheduleSpec cron(String id, String cron, ScheduleSpec.CatchUp catchUp) {
        return new ScheduleSpec(id, cron, null, "UTC", catchUp, template("report"));
    }

    private ScheduleControl schedules() {
        return engine.flow().schedules();
    }

    /** The ticker's round: the engine's tick, then the schedules. */
    private int at(long t) {
        now = t;
        engine.tick(now);
        return schedules().fire(now);
    }

    private List<String> taskIds() {
        List<String> ids = new ArrayList<>();
        engine.list(new TaskQuery(null, null, null, 1000, null), now).tasks().forEach(t -> ids.add(t.id()));
        return ids;
    }

    private List<String> runs(String id) {
        return schedules().get(id, now).schedule().runs().stream().map(ScheduleRun::taskId).toList();
    }

    @Test
    void anIntervalSubmitsExactlyOneTaskPerTickNamedAfterTheTick() {
        now = H0;
        ScheduleView made = schedules().create(every("s", 10 * SECOND, null), now);
        assertTrue(made.created());
        assertEquals(H0 + 10 * SECOND, made.nextRun());
        assertEquals(0, at(H0 + 9_999));
        assertEquals(1, at(H0 + 10 * SECOND));
        assertEquals(0, at(H0 + 10 * SECOND), "the same tick again");
        assertEquals(0, at(H0 + 15 * SECOND));
        assertEquals(1, at(H0 + 20 * SECOND + 5));
        String first = ScheduleControl.taskId("s", H0 + 10 * SECOND);
        assertEquals("sched-s-" + (H0 / SECOND + 10), first);
        assertEquals(List.of(first, ScheduleControl.taskId("s", H0 + 20 * SECOND)), taskIds());
        assertEquals(taskIds(), runs("s"));
        TaskView task = engine.task(first, now);
        assertEquals("report", task.type());
        assertEquals(Priority.HIGH, task.priority());
        assertEquals("{\"n\":1}", task.payload());
        assertEquals(2, task.maxRetries());
        ScheduleView view = schedules().get("s", now);
        assertEquals(H0 + 30 * SECOND, view.nextRun());
        assertEquals(H0 + 20 * SECOND, view.schedule().lastTick());
    }

    @Test
    void aCronSubmitsAtItsTicksOnly() {
        now = H0 - 5 * MINUTE;
        schedules().create(cron("c", "0 * * * *", null), now);
        assertEquals(0, at(H0 - 1));
        assertEquals(1, at(H0 + 200));
        assertEquals(0, at(H0 + 30 * MINUTE));
        assertEquals(1, at(H0 + HOUR));
        assertEquals(List.of(ScheduleControl.taskId("c", H0), ScheduleControl.taskId("c", H0 + HOUR)), runs("c"));
    }

    @ParameterizedTest(name = "{0}: {1} tasks after three and a half hours down")
    @CsvSource({"SKIP, 0", "ONE, 1", "ALL, 3"})
    void missedTicksFollowTheCatchUpPolicy(ScheduleSpec.CatchUp policy, int made) {
        now = H0;
        schedules().create(every("h", HOUR, policy), now);
        assertEquals(made, at(H0 + 3 * HOUR + 30 * MINUTE), "ticks at 1h, 2h, 3h were missed");
        List<String> expected = switch (policy) {
            case SKIP -> List.of();
            case ONE -> List.of(ScheduleControl.taskId("h", H0 + 3 * HOUR));
            case ALL -> List.of(ScheduleControl.taskId("h", H0 + HOUR), ScheduleControl.taskId("h", H0 + 2 * HOUR),
                    ScheduleControl.taskId("h", H0 + 3 * HOUR));
        };
        assertEquals(expected, taskIds());
        assertEquals(H0 + 3 * HOUR, schedules().get("h", now).schedule().lastTick(), "missed ticks are passed, run or not");
        assertEquals(0, at(H0 + 3 * HOUR + 59 * MINUTE));
        assertEquals(1, at(H0 + 4 * HOUR), "the next tick runs on time whatever the policy");
    }

    @Test
    void underSkipATickLessThanAMinuteLateStillRuns() {
        now = H0;
        schedules().create(every("h", HOUR, ScheduleSpec.CatchUp.SKIP), now);
        assertEquals(1, at(H0 + HOUR + ScheduleControl.GRACE_MILLIS));
    }

    @Test
    void catchUpAllIsBoundedToTheLatestTicks() {
        now = H0;
        schedules().create(every("fast", SECOND, ScheduleSpec.CatchUp.ALL), now);
        assertEquals(ScheduleControl.MAX_CATCH_UP, at(H0 + 3 * 86_400_000L), "three days of per-second ticks missed");
        List<String> ids = taskIds();
        assertEquals(ScheduleControl.taskId("fast", now - (ScheduleControl.MAX_CATCH_UP - 1) * SECOND), ids.get(0));
        assertEquals(ScheduleControl.taskId("fast", now), ids.get(ids.size() - 1));
        assertEquals(ScheduleControl.RUNS_KEPT, runs("fast").size());
    }

    @Test
    void aPausedScheduleFiresNothingAndResumingDoesNotCatchUp() {
        now = H0;
        schedules().create(every("p", MINUTE, ScheduleSpec.CatchUp.ALL), now);
        ScheduleView paused = schedules().pause("p", true, now + 1);
        assertTrue(paused.schedule().paused());
        assertNull(paused.nextRun());
        assertEquals(0, at(H0 + 10 * MINUTE));
        ScheduleView resumed = schedules().pause("p", false, H0 + 10 * MINUTE + 30 * SECOND);
        assertFalse(resumed.schedule().paused());
        assertEquals(0, at(H0 + 11 * MINUTE), "ticks count from the resume");
        assertEquals(1, at(H0 + 11 * MINUTE + 30 * SECOND));
        assertEquals(1, taskIds().size());
    }

    @Test
    void eachRunCanWaitForThePreviousOneToEndHoweverItEnds() {
        now = H0;
        ScheduleTemplate chained = new ScheduleTemplate("etl", null, null, null, 0, true);
        schedules().create(new ScheduleSpec("etl", null, MINUTE, null, null, chained), now);
        at(H0 + MINUTE);
        at(H0 + 2 * MINUTE);
        String first = ScheduleControl.taskId("etl", H0 + MINUTE);
        String second = ScheduleControl.taskId("etl", H0 + 2 * MINUTE);
        assertEquals(TaskStatus.PENDING, status(first));
        assertEquals(TaskStatus.WAITING, status(second));
        assertEquals(List.of(first), engine.task(second, now).dependsOn());
        agent("w", 1, "etl");
        ClaimedTask run = claimOne("w");
        engine.fail(first, run.leaseId(), "broken", false, now);
        assertEquals(TaskStatus.PENDING, status(second), "a failed run releases the next one");
    }

    @Test
    void theRecordIsJournaledAfterTheTaskAndAFiredTickFoundAgainMakesNoSecondTask() {
        now = H0;
        schedules().create(every("r", MINUTE, ScheduleSpec.CatchUp.ALL), now);
        EngineState before = engine.state();
        at(H0 + MINUTE);
        String id = ScheduleControl.taskId("r", H0 + MINUTE);
        TaskEvent fired = events.get(events.size() - 1);
        assertEquals(EventType.SCHEDULE_FIRED, fired.type());
        assertEquals(H0 + MINUTE, fired.schedule().lastTick());
        assertTrue(events.stream().filter(e -> id.equals(e.taskId())).allMatch(e -> e.seq() < fired.seq()),
                "the task's events come before the tick's, so a crash between them fires the tick again");

        // a crash after the task's events but before the tick's: the task is back, the tick is not
        EngineState state = engine.state();
        EngineState crashed = new EngineState(state.tasks(), state.agents(), state.types(), before.schedules(),
                fired.seq() - 1);
        List<TaskEvent> copyEvents = new ArrayList<>();
        Coordinator copy = new Coordinator(EngineConfig.defaults(), copyEvents::add, new SplittableRandom(1));
        copy.restore(crashed, now);
        assertEquals(0, copy.flow().schedules().fire(now), "the tick's task exists: none is made");
        assertEquals(List.of(id), copy.flow().schedules().get("r", now).schedule().runs().stream()
                .map(ScheduleRun::taskId).toList());
        assertEquals(1, copy.list(new TaskQuery(null, null, null, 10, null), now).tasks().size());
        EngineInvariants.check(copy);

        // a restore of the whole state fires nothing twice, and goes on with the next tick
        Coordinator again = new Coordinator(EngineConfig.defaults(), e -> { }, new SplittableRandom(1));
        again.restore(engine.state(), now);
        assertEquals(0, again.flow().schedules().fire(now + 30 * SECOND));
        assertEquals(1, again.flow().schedules().fire(H0 + 2 * MINUTE));
        EngineInvariants.check(again);
    }

    @Test
    void createIsIdempotentReplaceCountsFromNowAndDeleteKeepsTheTasks() {
        now = H0;
        ScheduleSpec spec = every("x", MINUTE, null);
        schedules().create(spec, now);
        assertFalse(schedules().create(spec, now + 5).created(), "the same body again");
        ConflictException conflict = assertThrows(ConflictException.class,
                () -> schedules().create(every("x", HOUR, null), now));
        assertEquals("id_conflict", conflict.code());
        at(H0 + MINUTE);
        ScheduleView replaced = schedules().replace(cron("x", "*/5 * * * *", null), H0 + MINUTE + 10);
        assertEquals(H0 + 5 * MINUTE, replaced.nextRun());
        assertEquals(1, replaced.schedule().runs().size(), "runs are kept");
        long seq = engine.lastSeq();
        schedules().replace(cron("x", "*/5 * * * *", null), H0 + MINUTE + 20);
        assertEquals(seq, engine.lastSeq(), "an equal spec changes nothing");
        schedules().delete("x", now);
        assertEquals(EventType.SCHEDULE_DELETED, events.get(events.size() - 1).type());
        assertThrows(NotFoundException.class, () -> schedules().get("x", now));
        assertEquals(0, at(H0 + 5 * MINUTE));
        assertEquals(1, taskIds().size());
    }

    @Test
    void theEventsSayWhatHappened() {
        now = H0;
        schedules().create(every("e", MINUTE, null), now);
        at(H0 + MINUTE);
        List<EventType> kinds = events.stream().map(TaskEvent::type).toList();
        assertEquals(List.of(EventType.SCHEDULE_UPDATED, EventType.SUBMITTED, EventType.SCHEDULE_FIRED),
                kinds);
        assertEquals("report", events.get(0).taskType());
        assertTrue(events.get(2).message().startsWith("schedule e: tick "), events.get(2).message());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "cron      | bad               |      | UTC           | report",
            "cron      | 61 * * * *        |      | UTC           | report",
            "every     | * * * * *         | 60000 | UTC          | report",
            "cron      |                   |      | UTC           | report",
            "every     |                   | 0    | UTC           | report",
            "every     |                   | 999  | UTC           | report",
            "time_zone | * * * * *         |      | Mars/Olympus  | report",
            "template.type | * * * * *     |      | UTC           | bad type",
    })
    void badInputIsRefusedNamingTheFieldAndChangesNothing(String field, String cron, Long every, String zone, String type) {
        ScheduleSpec spec = new ScheduleSpec("bad", cron, every, zone, null, template(type));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> schedules().create(spec, now));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(schedules().list(now).isEmpty());
        assertTrue(events.isEmpty());
    }

    @Test
    void badIdsAndTemplatesAreRefusedNamingTheField() {
        String tooLong = "s".repeat(ScheduleControl.MAX_ID_LENGTH + 1);
        assertEquals("id", assertThrows(InvalidRequestException.class,
                () -> schedules().create(every(tooLong, MINUTE, null), now)).field());
        assertEquals("id", assertThrows(InvalidRequestException.class,
                () -> schedules().create(every("a\u0007b", MINUTE, null), now)).field());
        ScheduleTemplate negative = new ScheduleTemplate("t", null, null, null, -1, false);
        assertEquals("template.max_retries", assertThrows(InvalidRequestException.class,
                () -> schedules().create(new ScheduleSpec("m", null, MINUTE, null, null, negative), now)).field());
        assertEquals("template", assertThrows(InvalidRequestException.class,
                () -> schedules().create(new ScheduleSpec("m", null, MINUTE, null, null, null), now)).field());
        schedules().create(every("s".repeat(ScheduleControl.MAX_ID_LENGTH), MINUTE, null), now);
        assertTrue(events.stream().allMatch(e -> e.type() == EventType.SCHEDULE_UPDATED));
    }

    @Test
    void aFullQueueHoldsTheTickUntilThereIsRoom() {
        newEngine(EngineConfig.defaults().withMaxQueued(1));
        now = H0;
        schedules().create(every("q", MINUTE, ScheduleSpec.CatchUp.ONE), now);
        TaskView filler = submit("other", Priority.LOW);
        assertEquals(0, at(H0 + MINUTE));
        assertEquals(H0 + MINUTE, schedules().get("q", now).nextRun(), "still due");
        engine.cancel(filler.id(), now);
        assertEquals(1, at(H0 + MINUTE + 500));
    }
}
