package dev.baton.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The last {@code capacity} dispatched events, for {@code Last-Event-ID} reconnects. It answers
 * for the seq range {@code (floor, newest]}: {@code floor} is the engine's seq when the hub
 * started, then the seq of the last event pushed out. Not thread safe: the hub guards it.
 */
final class EventRing {

    private final Published[] slots;
    private long count;
    private long floor;

    EventRing(int capacity, long startSeq) {
        slots = new Published[capacity];
        floor = startSeq;
    }

    void add(Published event) {
        if (count == 0) {
            floor = Math.max(floor, event.seq() - 1); // recovery may have moved the engine on since start
        }
        int slot = (int) (count % slots.length);
        if (slots[slot] != null) {
            floor = slots[slot].seq();
        }
        slots[slot] = event;
        count++;
    }

    /** The newest seq the ring answers for. */
    long lastSeq() {
        return count == 0 ? floor : newest(0).seq();
    }

    /**
     * Every held event with seq above {@code afterSeq}, oldest first; null when the ring cannot
     * tell what came after it (pushed out already, or a seq it never saw).
     */
    List<Published> after(long afterSeq) {
        if (afterSeq < floor || afterSeq > lastSeq()) {
            return null;
        }
        List<Published> out = new ArrayList<>();
        for (int back = 0; back < held(); back++) {
            Published event = newest(back);
            if (event.seq() <= afterSeq) {
                break;
            }
            out.add(event);
        }
        Collections.reverse(out);
        return out;
    }

    /** The newest held event of a task, or null. */
    Published lastOf(String taskId) {
        for (int back = 0; back < held(); back++) {
            Published event = newest(back);
            if (taskId.equals(event.event().taskId())) {
                return event;
            }
        }
        return null;
    }

    /** Every held event of a task, oldest first (the ring's older ones are gone). */
    List<Published> allOf(String taskId) {
        List<Published> out = new ArrayList<>();
        for (int back = held() - 1; back >= 0; back--) {
            Published event = newest(back);
            if (taskId.equals(event.event().taskId())) {
                out.add(event);
            }
        }
        return out;
    }

    private int held() {
        return (int) Math.min(count, slots.length);
    }

    private Published newest(int back) {
        return slots[(int) ((count - 1 - back) % slots.length)];
    }
}
