package dev.baton.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A state copied out and restored into a fresh engine behaves as the original would. */
class RestoreTest extends EngineHarness {

    private Coordinator restored(EngineState state, List<TaskEvent> sink) {
        Coordinator copy = new Coordinator(EngineConfig.defaults(), sink::add, new SplittableRandom(9));
        copy.restore(state, now);
        EngineInvariants.check(copy);
        return copy;
    }

    @Test
    void everyKindOfTaskComesBackAsItWas() {
        agent("w", 3, "a", "b");
        TaskView done = submit("a", Priority.HIGH);
        ClaimedTask c = claimOne("w");
        engine.complete(done.id(), c.leaseId(), "{\"ok\":1}", now);
        TaskView running = submit("a", Priority.CRITICAL);
        ClaimedTask r = claimOne("w");
        engine.heartbeat(running.id(), r.leaseId(), 30, "busy", now);
        TaskView retrying = submit("b", Priority.HIGH);
        ClaimedTask f = claimOne("w");
        engine.fail(retrying.id(), f.leaseId(), "flaky", true, now);
        List<String> queued = new ArrayList<>();
        for (Priority p : List.of(Priority.LOW, Priority.MEDIUM, Priority.LOW, Priority.MEDIUM)) {
            queued.add(submit("a", p).id());
        }
        TaskView waiting = submit(TaskSpec.of("b", Priority.LOW).withDependsOn(List.of(queued.get(0))));
        TaskView delayed = submit(TaskSpec.of("b", Priority.LOW).withRunAt(now + 60_000));

        EngineState state = engine.state();
        List<TaskEvent> copyEvents = new ArrayList<>();
        Coordinator copy = restored(state, copyEvents);

        for (TaskRecord record : state.tasks()) {
            TaskView before = engine.task(record.id(), now);
            TaskView after = copy.task(record.id(), now);
            assertEquals(before.status(), after.status(), record.id());
            assertEquals(before.queuePosition(), after.queuePosition(), record.id());
            assertEquals(before.waitingOn(), after.waitingOn(), record.id());
            assertEquals(before.attempt(), after.attempt(), record.id());
            assertEquals(before.result(), after.result(), record.id());
        }
        assertEquals(engine.agent("w", now).overall(), copy.agent("w", now).overall());
        // the deques come back in the same order: both engines hand out the same sequence
        engine.registerAgent(new AgentSpec("v", java.util.Set.of("a", "b"), 10, Map.of()), now);
        copy.registerAgent(new AgentSpec("v", java.util.Set.of("a", "b"), 10, Map.of()), now);
        assertEquals(engine.claim("v", 10, now).stream().map(t -> t.task().id()).toList(),
                copy.claim("v", 10, now).stream().map(t -> t.task().id()).toList());
        // the running task's lease survives: its agent can complete it
        copy.complete(running.id(), r.leaseId(), null, now);
        assertEquals(state.seq() + 1, copyEvents.get(0).seq(), "event numbering continues");
        assertEquals(TaskStatus.SCHEDULED, copy.task(delayed.id(), now).status());
        EngineInvariants.check(copy);
        assertEquals(TaskStatus.WAITING, status(waiting.id()));
    }

    @Test
    void recordsInAnyOrderAndRepeatedComeBackOnceListedInIdOrderAndReadyInTheirOrder() {
        // recovery reads the tasks hash in Redis' order: the engine sorts, the listing and the deques do not change
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            ids.add(submit("a", Priority.values()[i % 4]).id());
            now += i % 7 == 0 ? 1 : 0;
        }
        TaskView child = submit(TaskSpec.of("a", Priority.LOW).withDependsOn(List.of(ids.get(5), ids.get(2_000))));
        EngineState state = engine.state();
        List<TaskRecord> shuffled = new ArrayList<>(state.tasks());
        java.util.Collections.shuffle(shuffled, new java.util.Random(3));
        shuffled.add(shuffled.get(10)); // HSCAN may return an entry twice: one task of it
        Coordinator copy = restored(new EngineState(shuffled, state.agents(), state.types(), state.seq()), new ArrayList<>());

        List<String> listed = new ArrayList<>();
        copy.list(new TaskQuery(null, null, null, 10_000, null), now).tasks().forEach(t -> listed.add(t.id()));
        List<String> expected = new ArrayList<>(ids);
        expected.add(child.id());
        expected.sort(null);
        assertEquals(expected, listed);
        assertEquals(List.of(ids.get(5), ids.get(2_000)), copy.task(child.id(), now).waitingOn());
        assertEquals(List.of(child.id()), copy.task(ids.get(5), now).dependents());
        engine.registerAgent(new AgentSpec("v", java.util.Set.of("a"), 100, Map.of()), now);
        copy.registerAgent(new AgentSpec("v", java.util.Set.of("a"), 100, Map.of()), now);
        assertEquals(engine.claim("v", 100, now).stream().map(t -> t.task().id()).toList(),
                copy.claim("v", 100, now).stream().map(t -> t.task().id()).toList());
    }

    @Test
    void aWaitingTaskWhoseParentEndedIsSettledOnRestore() {
        TaskView parent = submit("a", Priority.LOW);
        TaskView child = submit(TaskSpec.of("a", Priority.LOW).withDependsOn(List.of(parent.id())));
        EngineState state = engine.state();
        // as if the crash came after the parent's completion was journaled but before the release
        List<TaskRecord> tasks = new ArrayList<>();
        for (TaskRecord t : state.tasks()) {
            tasks.add(t.id().equals(parent.id()) ? completed(t) : t);
        }
        List<TaskEvent> copyEvents = new ArrayList<>();
        Coordinator copy = restored(new EngineState(tasks, state.agents(), state.types(), state.seq()), copyEvents);
        assertEquals(TaskStatus.PENDING, copy.task(child.id(), now).status());
        assertEquals(EventType.RELEASED, copyEvents.get(0).type());
    }

    @Test
    void onlyAnEmptyEngineRestores() {
        submit("a", Priority.LOW);
        assertThrows(IllegalStateException.class, () -> engine.restore(engine.state(), now));
    }

    private TaskRecord completed(TaskRecord t) {
        return new TaskRecord(t.spec(), t.maxRetries(), t.createdAt(), TaskStatus.COMPLETED, t.level(), t.runAt(),
                t.attempt(), t.failures(), t.expiries(), 100, null, null, null, now, now, null, null, false,
                "l", true, t.readyAt(), t.readySeq(), t.attempts(), t.dependents());
    }

    @Test
    void finishedTasksTakenBackServeOneCallEvenPastTheCacheAndLeaveWhenTheirRetentionEnds() {
        agent("w", 2, "a");
        List<TaskRecord> done = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            TaskView task = submit("a", Priority.HIGH);
            engine.complete(task.id(), claimOne("w").leaseId(), null, now);
            done.add(engine.state().tasks().stream().filter(t -> t.id().equals(task.id())).findFirst().orElseThrow());
        }
        EngineConfig d = EngineConfig.defaults();
        Coordinator fresh = new Coordinator(new EngineConfig(d.leaseTtlMillis(), d.agentTtlMillis(), d.priorityAgingMillis(),
                d.maxQueued(), d.retry(), d.maxExpiries(), d.demoteOnRetry(), d.jitter(), d.types(), d.weights(),
                d.retentionMillis(), 1, d.maxDependencies(), d.maxBatch()), event -> { }, new SplittableRandom(9));
        List<String> ids = done.stream().map(TaskRecord::id).toList();
        assertEquals(ids, fresh.unknown(ids));

        // both records serve the call although the finished cache holds one task
        long later = now + d.retentionMillis() - 10_000;
        SubmitResult child = fresh.withFinished(done, later,
                () -> fresh.submit(TaskSpec.of("a", Priority.LOW).withDependsOn(ids), later));
        assertEquals(TaskStatus.PENDING, child.task().status());
        List<String> held = ids.stream().filter(id -> !fresh.unknown(List.of(id)).contains(id)).toList();
        assertEquals(1, held.size(), "one stays in the cache");
        assertSame(List.of(), fresh.unknown(held), "all known: the shared empty list, nothing allocated");
        assertSame(List.of(), fresh.unknown(java.util.Arrays.asList(held.get(0), null)), "nulls aside");
        assertEquals(ids.stream().filter(id -> !held.contains(id)).toList(), fresh.unknown(ids), "the other left the cache");
        EngineInvariants.check(fresh);

        // it leaves the retention after it finished, not after it was taken back
        assertEquals(TaskStatus.COMPLETED, fresh.task(held.get(0), now + d.retentionMillis() - 1).status());
        assertThrows(NotFoundException.class, () -> fresh.task(held.get(0), now + d.retentionMillis() + 1));
    }
}
