package dev.baton.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard's task page reads (docs/model.md): each run with its agent, times, outcome
 * and error; the reverse of {@code depends_on}, also after the task ended and after a restart;
 * and the list's priority and creation-time filters, with a page's walk bounded.
 */
class TaskHistoryTest extends EngineHarness {

    private static final long SECOND = 1_000;

    private TaskView view(String id) {
        return engine.task(id, now);
    }

    private static TaskAttempt ended(int number, String agent, long startedAt, long endedAt, TaskAttempt.Outcome outcome,
            String error) {
        return new TaskAttempt(number, agent, startedAt, endedAt, outcome, error);
    }

    @Test
    void eachRunIsRecordedWithItsAgentTimesOutcomeAndError() {
        agent("a-1", 1, "t");
        agent("a-2", 1, "t");
        String id = submit(TaskSpec.of("t", Priority.HIGH).withMaxRetries(3)).id();
        assertEquals(List.of(), view(id).attempts(), "no run before a claim");

        now += SECOND;
        ClaimedTask first = claimOne("a-1");
        long firstStart = now;
        assertEquals(List.of(new TaskAttempt(1, "a-1", firstStart, null, null, null)), first.task().attempts(),
                "the open run: no end, no outcome while it runs");
        now += SECOND;
        engine.fail(id, first.leaseId(), "boom", true, now);
        assertEquals(List.of(ended(1, "a-1", firstStart, now, TaskAttempt.Outcome.FAILED, "boom")), view(id).attempts());

        advance(60 * SECOND); // past the retry's backoff
        agent("a-2", 1, "t"); // heard from again
        ClaimedTask second = claimOne("a-2");
        long secondStart = now;
        advance(31 * SECOND); // the lease runs out
        List<TaskAttempt> afterExpiry = view(id).attempts();
        assertEquals(2, afterExpiry.size());
        assertEquals(ended(2, "a-2", secondStart, now, TaskAttempt.Outcome.EXPIRED, "lease expired"), afterExpiry.get(1));
        assertEquals(second.task().id(), id);

        agent("a-1", 1, "t");
        ClaimedTask third = claimOne("a-1");
        long thirdStart = now;
        now += 5 * SECOND;
        engine.complete(id, third.leaseId(), "{}", now);
        TaskView done = view(id);
        assertEquals(3, done.attempts().size());
        assertEquals(ended(3, "a-1", thirdStart, now, TaskAttempt.Outcome.COMPLETED, null), done.attempts().get(2));
        assertEquals(ended(1, "a-1", firstStart, firstStart + SECOND, TaskAttempt.Outcome.FAILED, "boom"), done.attempts().get(0),
                "earlier runs stay as they ended");
    }

    @Test
    void aTaskCompletedAtItsFirstRunHoldsNoRunOfItsOwnYetShowsItAlsoAfterARestart() {
        agent("a-1", 1, "t");
        String id = submit("t", Priority.HIGH).id();
        now += SECOND;
        ClaimedTask claimed = claimOne("a-1");
        long start = now;
        now += 2 * SECOND;
        engine.complete(id, claimed.leaseId(), "{}", now);
        List<TaskAttempt> expected = List.of(ended(1, "a-1", start, now, TaskAttempt.Outcome.COMPLETED, null));
        assertEquals(expected, view(id).attempts());

        Task task = engine.inspect(parts -> parts.tasks().find(id));
        assertEquals(List.of(), task.attempts, "the finished cache holds no run, list or boxed time for it");
        assertTrue(task.onlyRun);
        TaskRecord record = Snapshots.record(task);
        assertEquals(expected, record.attempts(), "the record written to the store still names the run");

        Task rebuilt = Snapshots.rebuild(record);
        assertEquals(List.of(), rebuilt.attempts, "recovered the same way");
        assertEquals(expected, Attempts.view(rebuilt));
        Task other = Snapshots.rebuild(new TaskRecord(record.spec(), record.maxRetries(), record.createdAt(), record.status(),
                record.level(), record.runAt(), record.attempt(), record.failures(), record.expiries(), record.progress(),
                record.message(), record.result(), record.error(), record.startedAt(), record.completedAt(), record.leaseId(),
                record.assignedAgent(), record.cancelRequested(), record.endedLeaseId(), record.endedByComplete(),
                record.readyAt(), record.readySeq(), List.of(ended(2, "a-1", start, now, TaskAttempt.Outcome.COMPLETED, null)),
                record.dependents()));
        assertEquals(1, other.attempts.size(), "a run its fields do not tell is kept as it is");
        assertEquals(2, Attempts.view(other).get(0).attempt());
    }

    @Test
    void aRunCancelledOrReleasedByItsAgentLeavingSaysSo() {
        agent("a-1", 2, "t");
        String cancelled = submit("t", Priority.MEDIUM).id();
        String released = submit("t", Priority.MEDIUM).id();
        claimOne("a-1");
        claimOne("a-1");
        now += SECOND;
        engine.cancel(cancelled, now);
        now += SECOND;
        engine.removeAgent("a-1", now);

        TaskAttempt cancelledRun = view(cancelled).attempts().get(0);
        assertEquals(TaskAttempt.Outcome.CANCELLED, cancelledRun.outcome());
        assertEquals(T0 + SECOND, cancelledRun.endedAt());
        assertNull(cancelledRun.error());
        TaskAttempt releasedRun = view(released).attempts().get(0);
        assertEquals(TaskAttempt.Outcome.RELEASED, releasedRun.outcome());
        assertEquals("a-1", releasedRun.agent());
        assertEquals(TaskStatus.PENDING, status(released));
        assertEquals(1, view(released).attempts().size(), "a queued task has no open run");
    }

    @Test
    void onlyTheLastTwentyRunsAreKept() {
        String id = submit("t", Priority.MEDIUM).id();
        for (int run = 1; run <= 25; run++) {
            agent("a-" + run, 1, "t");
            claimOne("a-" + run);
            now += SECOND;
            engine.removeAgent("a-" + run, now);
        }
        List<TaskAttempt> kept = view(id).attempts();
        assertEquals(Attempts.KEPT, kept.size());
        assertEquals(6, kept.get(0).attempt());
        assertEquals("a-6", kept.get(0).agent());
        assertEquals(25, kept.get(kept.size() - 1).attempt());

        agent("a-26", 1, "t");
        claimOne("a-26");
        List<TaskAttempt> running = view(id).attempts();
        assertEquals(21, running.size(), "the twenty that ended and the open one");
        assertEquals(26, running.get(20).attempt());
    }

    @Test
    void dependentsAreKnownWhileWaitingAfterTheParentEndedAndAfterARestart() {
        agent("w", 1, "p");
        String parent = submit("p", Priority.MEDIUM).id();
        String other = submit("p", Priority.LOW).id();
        String first = submit(TaskSpec.of("p", Priority.MEDIUM).withDependsOn(List.of(parent))).id();
        String second = submit(TaskSpec.of("p", Priority.MEDIUM).withDependsOn(List.of(other, parent))).id();
        assertEquals(List.of(first, second), view(parent).dependents());
        assertEquals(List.of(second), view(other).dependents());

        ClaimedTask run = claimOne("w");
        assertEquals(parent, run.task().id());
        engine.complete(parent, run.leaseId(), null, now);
        String late = submit(TaskSpec.of("p", Priority.MEDIUM).withDependsOn(List.of(parent))).id();
        assertEquals(List.of(first, second, late), view(parent).dependents(), "kept after the parent ended");

        engine.cancel(other, now);
        assertEquals("dependency " + other + " CANCELLED", view(second).error(), "the dependent says why it was cancelled");
        assertEquals(List.of(second), view(other).dependents());

        // a checkpoint taken before the late dependent was known still learns of it at recovery
        List<TaskRecord> records = new ArrayList<>();
        for (TaskRecord r : engine.state().tasks()) {
            records.add(r.id().equals(parent) ? stale(r) : r);
        }
        Coordinator copy = new Coordinator(EngineConfig.defaults(), e -> { }, new SplittableRandom(9));
        copy.restore(new EngineState(records, engine.state().agents(), engine.state().types(), engine.lastSeq()), now);
        EngineInvariants.check(copy);
        assertEquals(Set.of(first, second, late), Set.copyOf(copy.task(parent, now).dependents()));
        assertEquals(view(parent).attempts(), copy.task(parent, now).attempts(), "runs survive a restart");
    }

    private static TaskRecord stale(TaskRecord r) {
        return new TaskRecord(r.spec(), r.maxRetries(), r.createdAt(), r.status(), r.level(), r.runAt(), r.attempt(),
                r.failures(), r.expiries(), r.progress(), r.message(), r.result(), r.error(), r.startedAt(), r.completedAt(),
                r.leaseId(), r.assignedAgent(), r.cancelRequested(), r.endedLeaseId(), r.endedByComplete(), r.readyAt(),
                r.readySeq(), r.attempts(), null);
    }

    @Test
    void aFailedDependencyNamesItselfInTheErrorOfEveryCancelledDependent() {
        agent("w", 1, "p");
        String root = submit(TaskSpec.of("p", Priority.MEDIUM).withMaxRetries(0)).id();
        String child = submit(TaskSpec.of("p", Priority.MEDIUM).withDependsOn(List.of(root))).id();
        String grandchild = submit(TaskSpec.of("p", Priority.MEDIUM).withDependsOn(List.of(child))).id();
        ClaimedTask run = claimOne("w");
        engine.fail(root, run.leaseId(), "bad input", false, now);
        assertEquals("dependency " + root + " FAILED", view(child).error());
        assertEquals("dependency " + child + " CANCELLED", view(grandchild).error());
        assertEquals(List.of(child), view(root).dependents());
        assertEquals(List.of(grandchild), view(child).dependents());
    }

    @Test
    void theListFiltersByPriorityAndCreationTimeWithTheOtherFiltersAndPages() {
        List<String> high = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TaskView t = submit(i % 2 == 0 ? "a" : "b", i < 3 ? Priority.LOW : Priority.HIGH);
            if (t.priority() == Priority.HIGH) {
                high.add(t.id());
            }
            now += SECOND;
        }
        assertEquals(high, ids(new TaskQuery(null, null, null, 10, null, Priority.HIGH, null, null)));
        TaskPage first = engine.list(new TaskQuery(null, null, null, 2, null, Priority.HIGH, null, null), now);
        assertEquals(high.subList(0, 2), first.tasks().stream().map(TaskView::id).toList());
        assertEquals(high.subList(2, 3), ids(new TaskQuery(null, null, null, 2, first.nextAfter(), Priority.HIGH, null, null)));
        assertEquals(List.of(high.get(1)), ids(new TaskQuery(null, "a", null, 10, null, Priority.HIGH, null, null)),
                "priority and type together");

        long second = T0 + SECOND; // tasks were created at T0, T0+1s, ... T0+5s
        assertEquals(4, ids(new TaskQuery(null, null, null, 10, null, null, second, null)).size(), "strictly after");
        assertEquals(2, ids(new TaskQuery(null, null, null, 10, null, null, null, T0 + 2 * SECOND)).size(), "strictly before");
        assertEquals(List.of(high.get(0)),
                ids(new TaskQuery(TaskStatus.PENDING, null, null, 10, null, Priority.HIGH, null, T0 + 4 * SECOND)));
    }

    @Test
    void aPageLooksAtNoMoreThanItsBudgetAndSaysWhereToGoOn() {
        for (int i = 0; i < TaskQuery.SCAN_BUDGET; i++) {
            submit("bulk", Priority.LOW);
        }
        String rare = submit("bulk", Priority.CRITICAL).id();
        TaskPage first = engine.list(new TaskQuery(null, null, null, 10, null, Priority.CRITICAL, null, null), now);
        assertTrue(first.tasks().isEmpty(), "the budget ran out before the one match");
        assertTrue(first.nextAfter() != null, "a cut page names where the next one starts");
        TaskPage next = engine.list(new TaskQuery(null, null, null, 10, first.nextAfter(), Priority.CRITICAL, null, null), now);
        assertEquals(List.of(rare), next.tasks().stream().map(TaskView::id).toList());
        assertNull(next.nextAfter(), "the last page");
    }

    private List<String> ids(TaskQuery query) {
        return engine.list(query, now).tasks().stream().map(TaskView::id).toList();
    }
}
