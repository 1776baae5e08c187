package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The id index against a sorted map: the same tasks, in the same order, from any cursor. */
class TaskIndexTest {

    @Test
    void findsAndOrdersLikeASortedMapUnderMixedPutsAndRemovals() {
        SplittableRandom random = new SplittableRandom(15);
        for (int round = 0; round < 20; round++) {
            TaskIndex index = new TaskIndex();
            TreeMap<String, Task> model = new TreeMap<>();
            List<Task> made = new ArrayList<>();
            int serial = 0;
            for (int step = 0; step < 6_000; step++) {
                int op = random.nextInt(10);
                if (op < 5) { // mostly ascending server ids
                    Task task = task(String.format("S%08d", serial++));
                    put(index, model, made, task);
                } else if (op < 6) { // client ids, any order, sometimes an id seen before
                    Task task = task("C" + random.nextInt(3_000));
                    put(index, model, made, task);
                } else if (op < 7 && !made.isEmpty()) { // the same task put again (lent back)
                    put(index, model, made, made.get(random.nextInt(made.size())));
                } else if (!made.isEmpty()) {
                    Task task = made.get(random.nextInt(made.size()));
                    index.remove(task.id, task);
                    model.remove(task.id, task);
                }
                if (step % 500 == 0) {
                    check(index, model, random);
                }
            }
            check(index, model, random);
        }
    }

    @Test
    void aRemovedTaskIsLetGoAtOnceNotAtTheNextCompaction() {
        TaskIndex index = new TaskIndex();
        TreeMap<String, Task> model = new TreeMap<>();
        List<Task> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            put(index, model, all, task(String.format("T%06d", i)));
        }
        WeakReference<Task> removed = new WeakReference<>(all.get(40)); // its payload and result with it, in a real one
        index.remove(all.get(40).id, all.get(40));
        model.remove(all.get(40).id);
        all.remove(40);
        await("the removed task collected").atMost(Duration.ofSeconds(20)).until(() -> {
            System.gc();
            return removed.get() == null;
        });
        check(index, model, new SplittableRandom(7));
        index.put(task("T000040")); // the id comes back: into its old slot
        model.put("T000040", index.get("T000040"));
        check(index, model, new SplittableRandom(8));
    }

    @Test
    void compactsAfterManyRemovalsAndKeepsTheOrder() {
        TaskIndex index = new TaskIndex();
        TreeMap<String, Task> model = new TreeMap<>();
        List<Task> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Task task = task(String.format("T%06d", i));
            put(index, model, all, task);
        }
        for (int i = 0; i < 9_000; i++) {
            Task task = all.get(i);
            index.remove(task.id, task);
            model.remove(task.id);
        }
        check(index, model, new SplittableRandom(1));
    }

    private static void put(TaskIndex index, TreeMap<String, Task> model, List<Task> made, Task task) {
        index.put(task);
        model.put(task.id, task);
        made.add(task);
    }

    private static void check(TaskIndex index, TreeMap<String, Task> model, SplittableRandom random) {
        assertEquals(model.size(), index.size());
        List<Task> expected = new ArrayList<>(model.values());
        List<Task> actual = new ArrayList<>(index.values());
        assertEquals(ids(expected), ids(actual));
        for (int i = 0; i < expected.size(); i++) {
            assertSame(expected.get(i), actual.get(i));
            assertSame(expected.get(i), index.get(expected.get(i).id));
        }
        for (int i = 0; i < 20; i++) {
            String after = random.nextBoolean() && !expected.isEmpty()
                    ? expected.get(random.nextInt(expected.size())).id
                    : (random.nextBoolean() ? "C" : "S") + random.nextInt(5_000);
            List<Task> tail = new ArrayList<>();
            index.after(after).forEach(tail::add);
            assertEquals(ids(new ArrayList<>(model.tailMap(after, false).values())), ids(tail), "after " + after);
        }
    }

    private static List<String> ids(List<Task> tasks) {
        return tasks.stream().map(task -> task.id).toList();
    }

    private static Task task(String id) {
        return new Task(id, Samples.spec(1), 0, 0);
    }
}
