package dev.baton.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.baton.engine.EventType;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replay ring answers exactly for the seqs it still holds. */
class EventRingTest {

    private static Published event(long seq, String task) {
        TaskEvent e = new TaskEvent(seq, EventType.QUEUED, task, "t", Priority.LOW, TaskStatus.PENDING, null, 0, null,
                seq, null, null);
        return new Published(e);
    }

    private static List<Long> seqs(List<Published> events) {
        return events.stream().map(Published::seq).toList();
    }

    @Test
    void replaysWhatCameAfterAHeldSeq() {
        EventRing ring = new EventRing(4, 10);
        for (long seq = 11; seq <= 13; seq++) {
            ring.add(event(seq, "a"));
        }
        assertEquals(List.of(11L, 12L, 13L), seqs(ring.after(10)));
        assertEquals(List.of(13L), seqs(ring.after(12)));
        assertEquals(List.of(), seqs(ring.after(13)));
    }

    @Test
    void aSeqPushedOutOrNeverSeenCannotBeAnswered() {
        EventRing ring = new EventRing(3, 0);
        for (long seq = 1; seq <= 5; seq++) {
            ring.add(event(seq, seq % 2 == 0 ? "even" : "odd"));
        }
        assertNull(ring.after(1), "2 was pushed out");
        assertEquals(List.of(3L, 4L, 5L), seqs(ring.after(2)));
        assertNull(ring.after(6), "a seq from the future (another life of the server)");
        assertEquals(4L, ring.lastOf("even").seq());
        assertNull(ring.lastOf("none"));
    }

    @Test
    void anEmptyRingStartsWhereTheFirstEventIs() {
        EventRing ring = new EventRing(3, 0);
        ring.add(event(101, "a")); // recovery moved the engine on after the hub started
        assertNull(ring.after(50));
        assertEquals(List.of(101L), seqs(ring.after(100)));
    }
}
