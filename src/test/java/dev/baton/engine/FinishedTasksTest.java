package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The finished-task cache: bounded by size (the first finished leaves first) and by retention, and the id index kept exact. */
class FinishedTasksTest {

    private static final long RETENTION = 1_000;

    private final TaskIndex index = new TaskIndex();

    private Task finished(String id, long at) {
        return finishedIn(index, id, at);
    }

    @Test
    void pastItsSizeTheTaskThatFinishedFirstLeavesTheCacheAndTheIndex() {
        FinishedTasks cache = new FinishedTasks(3, RETENTION, index);
        cache.advance(100);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(finished("T" + i, 100 - i * 10)); // T4 finished first, then T3, ...
            cache.put(tasks.get(i));
        }
        assertEquals(3, cache.size());
        assertNull(cache.get("T4"));
        assertNull(cache.get("T3"));
        assertNull(index.get("T3"), "out of the id index too");
        for (int i = 0; i < 3; i++) {
            assertSame(tasks.get(i), cache.get("T" + i));
        }
    }

    @Test
    void aTaskLeavesItsRetentionAfterItFinishedReadOrNot() {
        FinishedTasks cache = new FinishedTasks(100, RETENTION, index);
        cache.advance(5_000);
        Task old = finished("old", 4_500); // finished before it came in: taken back from Redis
        Task fresh = finished("fresh", 5_000);
        cache.put(old);
        cache.put(fresh);
        cache.advance(5_499);
        assertSame(old, cache.get("old"));
        cache.advance(5_500);
        assertNull(cache.get("old"), "gone at its retention, before any clean-up");
        assertSame(old, index.get("old"));
        cache.cleanUp();
        assertNull(index.get("old"), "the clean-up takes it out of the index");
        assertEquals(1, cache.size());
        cache.advance(6_000);
        assertEquals(0, cache.size());
        assertNull(index.get("fresh"));
    }

    @Test
    void aTaskThatRunsAgainLeavesTheCacheButNotTheIndexAndComesBackWhenItEndsAgain() {
        FinishedTasks cache = new FinishedTasks(2, RETENTION, index);
        cache.advance(100);
        Task task = finished("again", 100);
        cache.put(task);
        cache.remove("again");
        assertNull(cache.get("again"));
        assertSame(task, index.get("again"));
        cache.put(finished("other1", 100));
        cache.put(finished("other2", 100));
        assertSame(task, index.get("again"), "not in the cache: its bound does not touch it");
        cache.advance(150);
        task.completedAt = 150L;
        cache.put(task);
        assertSame(task, cache.get("again"));
        assertEquals(2, cache.size());
    }

    @Test
    void tasksThatCameInOrderAndOnesReadBackOlderLeaveInTheOrderTheyFinished() {
        FinishedTasks cache = new FinishedTasks(3, RETENTION, index);
        cache.advance(1_000);
        Task first = finished("first", 1_000);
        Task second = finished("second", 1_001);
        Task older = finished("older", 990); // read back from Redis: finished before the ones in
        Task third = finished("third", 1_002);
        cache.put(first);
        cache.put(second);
        cache.put(older);
        assertSame(older, cache.get("older"));
        cache.put(third);
        assertNull(index.get("older"), "past the bound the one that finished first leaves, wherever it is kept");
        cache.put(finished("fourth", 1_003));
        assertNull(index.get("first"));
        assertSame(second, cache.get("second"));
        assertSame(third, cache.get("third"));
        cache.advance(2_001);
        assertEquals(2, cache.size(), "second and third past their retention");
        assertNull(index.get("second"));
    }

    /**
     * Random puts (mostly in finishing order, some finished earlier, some again), removals and
     * time against a plain model: after every step the cache keeps exactly the tasks the model keeps.
     */
    @Test
    void manyPutsRemovalsAndExpiriesKeepWhatAPlainModelKeeps() {
        for (long seed = 1; seed <= 6; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            TaskIndex tasks = new TaskIndex();
            int bound = 1 + random.nextInt(300);
            FinishedTasks cache = new FinishedTasks(bound, RETENTION, tasks);
            Map<Task, Long> model = new HashMap<>(); // task -> when it finished, no two alike (no tie to break)
            Set<Long> times = new HashSet<>();
            List<Task> all = new ArrayList<>();
            long now = 0;
            for (int step = 0; step < 20_000; step++) {
                now += 1 + random.nextInt(3);
                cache.advance(now);
                int op = random.nextInt(20);
                Task task = all.isEmpty() ? null : all.get(random.nextInt(all.size()));
                if (op >= 14 && task != null && tasks.get(task.id) == task) {
                    if (op < 17) {
                        cache.remove(task.id); // runs again
                        model.remove(task);
                    } else {
                        task.completedAt = now; // ended again
                        times.add(now);
                        cache.put(task);
                        model.put(task, now);
                    }
                } else {
                    long at = random.nextInt(8) == 0 ? now - 1 - random.nextInt(2 * (int) RETENTION) : now;
                    while (!times.add(at)) {
                        at--;
                    }
                    task = finishedIn(tasks, "S" + step, at);
                    all.add(task);
                    cache.put(task);
                    model.put(task, at);
                }
                long then = now;
                model.values().removeIf(finished -> finished + RETENTION <= then);
                while (model.size() > bound) {
                    model.remove(Collections.min(model.entrySet(), Map.Entry.comparingByValue()).getKey());
                }
                assertEquals(model.size(), cache.size(), "seed " + seed + ", step " + step);
                if (step % 97 == 0) {
                    for (Task each : all) {
                        assertSame(model.containsKey(each) ? each : null, cache.get(each.id), "seed " + seed + ", step " + step + ": " + each.id);
                    }
                }
            }
        }
    }

    private static Task finishedIn(TaskIndex tasks, String id, long at) {
        Task task = new Task(id, Samples.spec(1), 0, at);
        task.completedAt = at;
        tasks.put(task);
        return task;
    }
}
