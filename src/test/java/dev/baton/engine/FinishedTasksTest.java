package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The finished-task cache: bounded by size (the first finished leaves first) and by retention, and the id index kept exact. */
class FinishedTasksTest {

    private static final long RETENTION = 1_000;

    private final TaskIndex index = new TaskIndex();

    private Task finished(String id, long at) {
        Task task = new Task(id, Samples.spec(1), 0, at);
        task.completedAt = at;
        index.put(task);
        return task;
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
    void manyPutsRemovalsAndExpiriesKeepTheHeapInOrder() {
        SplittableRandom random = new SplittableRandom(5);
        FinishedTasks cache = new FinishedTasks(500, RETENTION, index);
        List<Task> in = new ArrayList<>();
        long now = 0;
        for (int step = 0; step < 20_000; step++) {
            now += random.nextInt(3);
            cache.advance(now);
            int op = random.nextInt(10);
            if (op < 7) {
                Task task = finished("S" + step, now - random.nextInt(900));
                cache.put(task);
                in.add(task);
            } else if (!in.isEmpty()) {
                Task task = in.get(random.nextInt(in.size()));
                cache.remove(task.id);
            }
        }
        cache.cleanUp();
        long count = 0;
        for (Task task : in) {
            if (task.finishedSlot >= 0) {
                count++;
                assertSame(task, cache.get(task.id));
                assertEquals(true, task.completedAt + RETENTION > now, "past its retention and still here: " + task.id);
            } else if (index.get(task.id) == null) {
                assertNull(cache.get(task.id));
            }
        }
        assertEquals(count, cache.size());
        assertEquals(true, count <= 500, count + " tasks in a cache of 500");
    }
}
