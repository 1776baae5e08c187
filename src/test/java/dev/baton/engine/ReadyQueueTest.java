package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReadyQueueTest {

    private static Task task(String id) {
        return new Task(id, TaskSpec.of("t", Priority.MEDIUM).withId(id), 3, 0);
    }

    @Test
    void fifoAtTheTailAndJumpsAtTheHead() {
        ReadyQueue q = new ReadyQueue(Priority.MEDIUM, "t");
        Task a = task("a");
        Task b = task("b");
        Task c = task("c");
        q.addLast(a);
        q.addLast(b);
        q.addFirst(c);
        assertEquals(3, q.size());
        assertSame(c, q.poll());
        assertSame(a, q.poll());
        assertSame(b, q.poll());
        assertNull(q.poll());
    }

    @Test
    void positionsStayExactUnderRandomRemovals() {
        Random random = new Random(11);
        ReadyQueue q = new ReadyQueue(Priority.MEDIUM, "t");
        List<Task> model = new ArrayList<>();
        for (int step = 0; step < 5_000; step++) {
            int op = random.nextInt(10);
            if (op < 4 || model.isEmpty()) {
                Task t = task("t" + step);
                q.addLast(t);
                model.add(t);
            } else if (op < 5) {
                Task t = task("f" + step);
                q.addFirst(t);
                model.add(0, t);
            } else if (op < 7) {
                assertSame(model.remove(0), q.poll());
            } else {
                Task t = model.remove(random.nextInt(model.size()));
                q.remove(t);
            }
            assertEquals(model.size(), q.size());
            if (!model.isEmpty()) {
                int i = random.nextInt(model.size());
                assertEquals(i, q.positionOf(model.get(i)), "position of element " + i);
            }
        }
    }

    @Test
    void aTaskCannotSitInTwoQueues() {
        ReadyQueue one = new ReadyQueue(Priority.MEDIUM, "t");
        ReadyQueue two = new ReadyQueue(Priority.HIGH, "t");
        Task t = task("x");
        one.addLast(t);
        assertThrows(IllegalStateException.class, () -> two.addLast(t));
        assertThrows(IllegalStateException.class, () -> two.remove(t));
    }
}
