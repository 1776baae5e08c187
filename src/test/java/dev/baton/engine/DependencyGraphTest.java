package dev.baton.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dependencies (docs/model.md): batches with refs, release exactly when the last dependency completes, cascades. */
class DependencyGraphTest extends EngineHarness {

    private static BatchItem item(String ref, String type, String... dependsOn) {
        return new BatchItem(ref, TaskSpec.of(type, Priority.MEDIUM).withDependsOn(List.of(dependsOn)));
    }

    private Map<String, String> idsByRef(BatchResult result) {
        Map<String, String> ids = new HashMap<>();
        result.tasks().forEach(m -> ids.put(m.ref(), m.id()));
        return ids;
    }

    private void runToCompletion(String taskId) {
        ClaimedTask c = claimOne("w");
        assertEquals(taskId, c.task().id());
        engine.complete(taskId, c.leaseId(), null, now);
    }

    @Test
    void aPipelineIsReleasedInOrder() {
        agent("w", 1, "p");
        BatchResult result = engine.submitBatch(List.of(
                item("persist", "p", "enrich"), item("enrich", "p", "parse"), item("parse", "p", "fetch"),
                item("fetch", "p")), now);
        Map<String, String> ids = idsByRef(result);
        assertEquals(List.of("persist", "enrich", "parse", "fetch"), result.tasks().stream().map(BatchResult.Member::ref).toList(),
                "members answer in the order given");
        assertEquals(TaskStatus.PENDING, result.tasks().get(3).status());
        assertEquals(List.of(ids.get("parse")), engine.task(ids.get("enrich"), now).waitingOn());

        for (String step : List.of("fetch", "parse", "enrich", "persist")) {
            runToCompletion(ids.get(step));
        }
        assertNothingFor("w");
    }

    @Test
    void aDiamondReleasesItsJoinOnce() {
        agent("w", 1, "d");
        Map<String, String> ids = idsByRef(engine.submitBatch(List.of(
                item("top", "d"), item("left", "d", "top"), item("right", "d", "top"),
                item("join", "d", "left", "right", "top")), now));
        runToCompletion(ids.get("top"));
        runToCompletion(ids.get("left"));
        assertEquals(TaskStatus.WAITING, status(ids.get("join")));
        assertEquals(List.of(ids.get("right")), engine.task(ids.get("join"), now).waitingOn());
        runToCompletion(ids.get("right"));
        assertEquals(1, eventTypesOf(ids.get("join")).stream().filter(e -> e == EventType.RELEASED).count());
        runToCompletion(ids.get("join"));
    }

    @Test
    void membersMayDependOnExistingTasks() {
        TaskView done = submit("x", Priority.LOW);
        TaskView open = submit("y", Priority.LOW);
        agent("w", 1, "x");
        runToCompletion(done.id());
        Map<String, String> ids = idsByRef(engine.submitBatch(List.of(
                item("a", "z", done.id()), item("b", "z", open.id(), "a")), now));
        assertEquals(TaskStatus.PENDING, status(ids.get("a")));
        assertEquals(TaskStatus.WAITING, status(ids.get("b")));
    }

    @Test
    void aCycleOfThreeIsRefusedNamingItsMembersAndNothingIsCreated() {
        TaskView before = submit("c", Priority.LOW);
        long seqBefore = engine.lastSeq();
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> engine.submitBatch(List.of(
                item("ok", "c"), item("a", "c", "c3"), item("b", "c", "a"), item("c3", "c", "b"),
                item("after", "c", "a")), now));
        assertTrue(e.getMessage().contains("dependency cycle"), e.getMessage());
        for (String name : List.of("a", "b", "c3")) {
            assertTrue(e.getMessage().contains(name), e.getMessage() + " names " + name);
        }
        assertFalse(e.getMessage().contains("ok ") || e.getMessage().contains("after"), e.getMessage());
        assertEquals(seqBefore, engine.lastSeq(), "a refused batch emits nothing");
        assertEquals(List.of(before.id()), engine.list(new TaskQuery(null, "c", null, 100, null), now)
                .tasks().stream().map(TaskView::id).toList());
    }

    @Test
    void aTaskDependingOnItselfIsACycle() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> engine.submitBatch(List.of(item("self", "c", "self")), now));
        assertTrue(e.getMessage().contains("self -> self"), e.getMessage());
    }

    @Test
    void anInvalidMemberIsNamedAndNothingIsCreated() {
        long seqBefore = engine.lastSeq();
        InvalidRequestException unknown = assertThrows(InvalidRequestException.class, () -> engine.submitBatch(List.of(
                item("a", "t"), item("b", "t", "a", "ghost")), now));
        assertEquals("tasks[1](b).depends_on", unknown.field());
        assertTrue(unknown.getMessage().contains("ghost"));

        InvalidRequestException noType = assertThrows(InvalidRequestException.class, () -> engine.submitBatch(List.of(
                item("a", "t"), new BatchItem("b", TaskSpec.of(null, Priority.LOW))), now));
        assertEquals("tasks[1](b).type", noType.field());

        InvalidRequestException twice = assertThrows(InvalidRequestException.class, () -> engine.submitBatch(List.of(
                item("a", "t"), item("a", "t")), now));
        assertTrue(twice.getMessage().contains("also used by tasks[0](a)"), twice.getMessage());
        assertEquals(seqBefore, engine.lastSeq());
        assertEquals(0, engine.stats(now).submitted());
    }

    @Test
    void theLimitsAreEnforced() {
        newEngine(EngineConfig.defaults().withGraphLimits(2, 3));
        TooLargeException big = assertThrows(TooLargeException.class, () -> engine.submitBatch(List.of(
                item("a", "t"), item("b", "t"), item("c", "t"), item("d", "t")), now));
        assertTrue(big.getMessage().contains("at most 3"));
        InvalidRequestException many = assertThrows(InvalidRequestException.class, () -> engine.submitBatch(List.of(
                item("a", "t"), item("b", "t"), item("c", "t", "a", "b", "a2")), now));
        assertEquals("tasks[2](c).depends_on", many.field());
        TaskView a = submit("t", Priority.LOW);
        TaskView b = submit("t", Priority.LOW);
        TaskView c = submit("t", Priority.LOW);
        assertThrows(InvalidRequestException.class, () -> submit(TaskSpec.of("t", Priority.LOW)
                .withDependsOn(List.of(a.id(), b.id(), c.id()))));
        assertThrows(InvalidRequestException.class, () -> engine.submitBatch(List.of(), now));
    }

    @Test
    void aBatchPastMaxQueuedIsRefusedWhole() {
        newEngine(EngineConfig.defaults().withMaxQueued(3));
        submit("t", Priority.LOW);
        assertThrows(BackpressureException.class, () -> engine.submitBatch(List.of(
                item("a", "t"), item("b", "t"), item("c", "t")), now));
        assertEquals(1, engine.stats(now).submitted());
    }

    @Test
    void aBatchSentAgainWithTheSameIdsIsNotDuplicated() {
        List<BatchItem> items = List.of(
                new BatchItem("a", TaskSpec.of("t", Priority.LOW).withId("job-a")),
                new BatchItem("b", TaskSpec.of("t", Priority.LOW).withId("job-b").withDependsOn(List.of("a"))));
        BatchResult first = engine.submitBatch(items, now);
        BatchResult again = engine.submitBatch(items, now);
        assertTrue(first.tasks().stream().allMatch(BatchResult.Member::created));
        assertTrue(again.tasks().stream().noneMatch(BatchResult.Member::created));
        assertEquals(List.of("job-a"), engine.task("job-b", now).dependsOn());
        assertEquals(2, engine.stats(now).submitted());
        assertThrows(ConflictException.class, () -> engine.submitBatch(List.of(
                new BatchItem("a", TaskSpec.of("other", Priority.LOW).withId("job-a"))), now));
    }

    @Test
    void theFailureCascadeReachesThreeLevelsAndSparesRunOnFailure() {
        agent("w", 1, "f");
        Map<String, String> ids = idsByRef(engine.submitBatch(List.of(
                new BatchItem("root", TaskSpec.of("f", Priority.LOW).withMaxRetries(0)),
                item("one", "f", "root"), item("two", "f", "one"), item("three", "f", "two"),
                new BatchItem("cleanup", new TaskSpec(null, "f", null, Priority.LOW, null, List.of("root"), null, null, true))),
                now));
        ClaimedTask c = claimOne("w");
        engine.fail(ids.get("root"), c.leaseId(), "broken", true, now);
        assertEquals(TaskStatus.FAILED, status(ids.get("root")));
        assertEquals("dependency " + ids.get("root") + " FAILED", engine.task(ids.get("one"), now).error());
        assertEquals("dependency " + ids.get("one") + " CANCELLED", engine.task(ids.get("two"), now).error());
        assertEquals("dependency " + ids.get("two") + " CANCELLED", engine.task(ids.get("three"), now).error());
        assertEquals(TaskStatus.PENDING, status(ids.get("cleanup")));

        engine.retry(ids.get("root"), now);
        assertEquals(TaskStatus.CANCELLED, status(ids.get("one")), "a retried dead letter does not resurrect dependents");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomGraphsEndAndReleaseExactlyWhenTheLastDependencyCompletes(long seed) {
        Random random = new Random(seed);
        agent("w", 4, "g");
        int n = 40 + random.nextInt(80);
        List<BatchItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> deps = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                if (random.nextInt(i + 1) < 2) {
                    deps.add("n" + j);
                }
            }
            boolean runOnFailure = random.nextInt(6) == 0;
            items.add(new BatchItem("n" + i, new TaskSpec(null, "g", null, Priority.values()[random.nextInt(4)], null,
                    deps, 0, null, runOnFailure)));
        }
        // shuffle so the batch order is not the topological one
        List<BatchItem> shuffled = new ArrayList<>(items);
        java.util.Collections.shuffle(shuffled, random);
        Map<String, String> ids = idsByRef(engine.submitBatch(shuffled, now));
        Map<String, String> refs = new HashMap<>();
        ids.forEach((ref, id) -> refs.put(id, ref));

        Set<String> ended = new HashSet<>();
        Map<Integer, Integer> callOfEvent = new HashMap<>();
        int calls = 0;
        int guard = 0;
        while (true) {
            EngineInvariants.check(engine);
            List<ClaimedTask> claimed = engine.claim("w", 4, now);
            if (claimed.isEmpty()) {
                break;
            }
            for (ClaimedTask c : claimed) {
                String ref = refs.get(c.task().id());
                BatchItem spec = items.get(Integer.parseInt(ref.substring(1)));
                for (String dep : spec.spec().dependsOn()) {
                    TaskStatus parent = status(ids.get(dep));
                    assertTrue(parent == TaskStatus.COMPLETED || spec.spec().runOnDependencyFailure() && parent.isTerminal(),
                            ref + " ran before its dependency " + dep + " ended (" + parent + ")");
                }
                int call = calls++;
                int from = events.size();
                int roll = random.nextInt(10);
                if (roll < 7) {
                    engine.complete(c.task().id(), c.leaseId(), null, now);
                } else if (roll < 9) {
                    engine.fail(c.task().id(), c.leaseId(), "random", false, now);
                } else {
                    engine.cancel(c.task().id(), now);
                }
                ended.add(ref);
                for (int k = from; k < events.size(); k++) {
                    callOfEvent.put(k, call);
                }
            }
            assertTrue(++guard < 10_000, "the graph must drain");
        }
        for (BatchItem item : items) {
            TaskView task = engine.task(ids.get(item.ref()), now);
            assertTrue(task.status().isTerminal(), item.ref() + " never ended: " + task.status());
            if (!ended.contains(item.ref())) {
                assertEquals(TaskStatus.CANCELLED, task.status(), item.ref());
                assertTrue(task.error().startsWith("dependency "), task.error());
            }
        }
        // replay: a task is released in the very call that ended its last dependency, never before
        Map<String, Integer> endedInCall = new HashMap<>();
        Map<String, TaskStatus> replayed = new HashMap<>();
        for (int k = 0; k < events.size(); k++) {
            TaskEvent e = events.get(k);
            if (e.taskId() == null) {
                continue;
            }
            replayed.put(e.taskId(), e.status());
            if (e.status().isTerminal()) {
                endedInCall.put(e.taskId(), callOfEvent.get(k));
            }
            if (e.type() == EventType.RELEASED) {
                BatchItem item = items.get(Integer.parseInt(refs.get(e.taskId()).substring(1)));
                int lastCall = -1;
                for (String dep : item.spec().dependsOn()) {
                    TaskStatus parent = replayed.get(ids.get(dep));
                    assertTrue(parent == TaskStatus.COMPLETED || item.spec().runOnDependencyFailure() && parent.isTerminal(),
                            item.ref() + " released while " + dep + " is " + parent);
                    lastCall = Math.max(lastCall, endedInCall.get(ids.get(dep)));
                }
                assertEquals(lastCall, callOfEvent.get(k), item.ref() + " released in the call that ended its last dependency");
            }
        }
        assertEquals(0, engine.stats(now).waiting());
    }
}
