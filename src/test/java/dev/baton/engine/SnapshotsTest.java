package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One place to add a task field: these tests fail while a field of {@link Task} is missing from
 * its record ({@link Snapshots#record}, {@link Snapshots#rebuild}) or from its view, unless it is
 * named below as belonging to a structure rather than to the task.
 */
class SnapshotsTest {

    /** Fields that place a task in the engine's structures; recovery rebuilds them, records do not carry them. */
    static final Set<String> STRUCTURAL = Set.of(
            "chain", "lane", "prev", "next", "slot",  // the ready deque's intrusive links
            "rate", "conc",                           // the keys' budgets, attached again when placed
            "timerStamp",                             // voids timer entries
            "finishedSlot",                           // the finished cache's queue or heap
            "indexSlot",                              // the id index's array
            "live",                                   // counted live by the task table, set as it is placed
            "dependents", "unfinishedDependencies",   // the dependency graph, rebuilt from depends_on
            "leaseExpiresAt");                        // a recovered lease gets a fresh clock

    @Test
    void aTaskRebuiltFromItsRecordHasEveryFieldItHad() {
        Task task = new Task("task-1", Samples.spec(1), 3, 1_700_000_000_000L);
        Samples.fill(task, STRUCTURAL);
        Task rebuilt = Snapshots.rebuild(Snapshots.record(task));
        Attempts.settle(task); // the runs in their long form: a compact one is read off the task's fields
        Attempts.settle(rebuilt);
        assertEquals(Samples.fields(task, STRUCTURAL), Samples.fields(rebuilt, STRUCTURAL),
                "a field of Task is missing from TaskRecord or from Snapshots.record/rebuild");
    }

    @Test
    void aRecordTakenFromARebuiltTaskIsTheRecord() {
        TaskRecord record = Samples.record(TaskRecord.class);
        TaskRecord again = Snapshots.record(Snapshots.rebuild(record));
        assertEquals(record.spec(), again.spec());
        assertEquals(record.toString().replace(record.spec().toString(), ""),
                again.toString().replace(again.spec().toString(), ""), "a TaskRecord component does not reach Task");
    }

    @Test
    void everyViewFieldOfAFinishedTaskReadBackFromItsRecordIsTheLiveTasksView() {
        Task task = new Task("task-2", Samples.spec(2), 3, 1_700_000_000_000L);
        Samples.fill(task, STRUCTURAL);
        task.status = TaskStatus.COMPLETED;
        TaskView live = Snapshots.view(task, null, java.util.List.of(), null);
        TaskView kept = Snapshots.record(task).finishedView();
        assertEquals(live, kept, "TaskRecord.finishedView() and Snapshots.view() disagree on a field");
    }

    @Test
    void everyComponentOfTheViewIsSetFromTheTask() {
        Task task = new Task("task-3", Samples.spec(3), 3, 1_700_000_000_000L);
        Samples.fill(task, Set.of("chain", "lane", "rate", "conc", "prev", "next", "dependents"));
        TaskView view = Snapshots.view(task, 4, java.util.List.of("parent-3"), "rate-3");
        Set<String> unset = Arrays.stream(TaskView.class.getRecordComponents())
                .filter(c -> isDefault(component(view, c)))
                .map(RecordComponent::getName)
                .collect(Collectors.toSet());
        assertTrue(unset.isEmpty(), "view components left at their default: " + unset);
    }

    private static Object component(TaskView view, RecordComponent c) {
        try {
            return c.getAccessor().invoke(view);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isDefault(Object value) {
        return value == null || Boolean.FALSE.equals(value) || value instanceof Number n && n.longValue() == 0
                || value instanceof java.util.Collection<?> c && c.isEmpty();
    }
}
