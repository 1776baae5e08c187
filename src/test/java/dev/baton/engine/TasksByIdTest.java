package dev.baton.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The id table agrees with a map through every mix of puts, replacements and removals, and cannot be flooded. */
class TasksByIdTest {

    private static Task task(String id) {
        return new Task(id, Samples.spec(1), 0, 0);
    }

    @Test
    void agreesWithAMapThroughRandomPutsReplacementsAndRemovals() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 20; round++) {
            TasksById table = new TasksById(random.nextLong(), random.nextLong());
            Map<String, Task> model = new HashMap<>();
            int universe = 1 + random.nextInt(3_000);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < universe; i++) {
                ids.add("t-" + Integer.toString(i, 36));
            }
            for (int op = 0; op < 40_000; op++) {
                String id = ids.get(random.nextInt(universe));
                int what = random.nextInt(10);
                if (what < 5) {
                    Task task = task(id);
                    assertSame(model.put(id, task), table.put(task), "put " + id);
                } else if (what < 9) {
                    Task indexed = model.get(id);
                    Task which = indexed != null && random.nextBoolean() ? indexed : task(id); // a stale one is not removed
                    assertEquals(model.remove(id, which), table.remove(id, which), "remove " + id);
                } else {
                    assertSame(model.get(id), table.get(id), "get " + id);
                }
                assertEquals(model.size(), table.size());
            }
            for (String id : ids) {
                assertSame(model.get(id), table.get(id), "after the round: " + id);
            }
        }
    }

    @Test
    void emptiedItFindsNothingAndFillsAgain() {
        TasksById table = new TasksById(1, 2);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Task task = task("task-" + i);
            tasks.add(task);
            assertNull(table.put(task));
        }
        for (Task task : tasks) {
            assertTrue(table.remove(task.id, task));
            assertFalse(table.remove(task.id, task), "removed once");
        }
        assertEquals(0, table.size());
        for (Task task : tasks) {
            assertNull(table.get(task.id));
        }
        assertNull(table.put(tasks.get(7)));
        assertSame(tasks.get(7), table.get("task-7"));
    }

    @Test
    void idsWithTheSameStringHashCodeSpreadOverTheTable() {
        // "Aa" and "BB" have the same String.hashCode, so every id made of them does: 2^12 such ids
        List<String> colliding = new ArrayList<>();
        for (int bits = 0; bits < 1 << 12; bits++) {
            StringBuilder id = new StringBuilder();
            for (int b = 0; b < 12; b++) {
                id.append((bits >> b & 1) == 0 ? "Aa" : "BB");
            }
            colliding.add(id.toString());
        }
        assertEquals(1, colliding.stream().map(String::hashCode).distinct().count());

        TasksById table = new TasksById(0x0123456789abcdefL, 0x7edcba9876543210L);
        Set<Integer> buckets = new HashSet<>();
        for (String id : colliding) {
            buckets.add(table.hash(id) & 4095);
            table.put(task(id));
        }
        assertTrue(buckets.size() > 2_000, "4,096 ids in 4,096 buckets fell into only " + buckets.size());
        for (String id : colliding) {
            assertEquals(id, table.get(id).id);
        }
    }

    @Test
    void theKeyDecidesTheHash() {
        TasksById one = new TasksById(1, 2);
        TasksById other = new TasksById(3, 4);
        assertEquals(one.hash("01M8T2NDN23DEHDJ9HWCY53XND"), new TasksById(1, 2).hash("01M8T2NDN23DEHDJ9HWCY53XND"));
        assertNotEquals(one.hash("01M8T2NDN23DEHDJ9HWCY53XND"), other.hash("01M8T2NDN23DEHDJ9HWCY53XND"));
        assertNotEquals(one.hash("abc"), one.hash("abd"));
        assertNotEquals(one.hash(""), one.hash("\0"), "the length counts");
        assertNotEquals(one.hash("abcd"), one.hash("abcd\0"));
    }
}
