package dev.baton.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ready deque of one (level, type): a {@link Lane} per concurrency key (tasks without one
 * share a lane), handed out round-robin over a ring of the lanes that may run now, so one key's
 * 100,000 tasks do not stand in front of another key's 10. Without keys there is one lane and the
 * deque is plain FIFO.
 *
 * <ul>
 *   <li><b>Claims</b> look at the head of the ring's current lane only ({@link #peek}); taking it
 *   moves the ring one lane on. A head whose rate key cannot pay for it, or stands behind its
 *   key's held tasks, goes to its key's holding queue ({@link KeyLimits#hold}) and the next head is
 *   looked at: each task is moved once per exhaustion, never scanned per claim.</li>
 *   <li>A lane whose concurrency key is at its cap, or that is empty, is off the ring.</li>
 *   <li>{@link #size} counts held tasks too: they stay PENDING and belong to this deque.</li>
 * </ul>
 * Not thread-safe: used under the coordinator's lock.
 */
final class ReadyQueue {

    final Priority level;
    final String type;

    private final KeyLimits limits;
    private final Lane plain = new Lane(this, null);
    private final Map<String, Lane> keyed = new HashMap<>();
    /** Past this many lanes in turn, a position is estimated instead of counted lane by lane. */
    static final int EXACT_POSITION_LANES = 64;

    /** The lane whose head is handed out next; null when no lane may run. */
    private Lane cursor;
    private int onRing;
    private int size;

    /** A deque for tasks without keys (tests). */
    ReadyQueue(Priority level, String type) {
        this(level, type, null);
    }

    ReadyQueue(Priority level, String type, KeyLimits limits) {
        this.level = level;
        this.type = type;
        this.limits = limits;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void addLast(Task task) {
        add(task, false, Long.MIN_VALUE);
    }

    void addFirst(Task task) {
        add(task, true, Long.MIN_VALUE);
    }

    /** The task joins its lane (at its front: it keeps its age), or its key's holding queue behind the held ones. */
    void add(Task task, boolean front, long now) {
        Lane lane = laneOf(task);
        size++;
        if (task.rate != null && !task.rate.held.isEmpty()) {
            task.lane = lane;
            limits.hold(task, now);
            return;
        }
        if (front) {
            lane.addFirst(task);
        } else {
            lane.addLast(task);
        }
        KeyLimits.queued(task, 1);
        settle(lane);
    }

    /** The next task to hand out, holding the heads whose rate key cannot pay for them; null when none may run. */
    Task peek(long now) {
        while (cursor != null) {
            Task head = cursor.head();
            RateBucket bucket = head.rate;
            if (bucket == null || limits == null
                    || !behindHeld(head, bucket) && limits.affords(head, now)) {
                return head;
            }
            Lane lane = cursor;
            lane.remove(head);
            KeyLimits.queued(head, -1);
            limits.hold(head, now);
            settle(lane);
        }
        return null;
    }

    Task poll() {
        Task task = peek(Long.MIN_VALUE);
        if (task != null) {
            remove(task, Long.MIN_VALUE);
        }
        return task;
    }

    void remove(Task task) {
        remove(task, Long.MIN_VALUE);
    }

    /** The task leaves the deque (handed out, or cancelled); taking the ring's head moves the ring on. */
    void remove(Task task, long now) {
        Lane lane = task.lane;
        if (lane == null || lane.queue != this) {
            throw new IllegalStateException("task " + task.id + " is not in queue " + this);
        }
        size--;
        if (task.chain != lane) {
            limits.unhold(task, now);
            task.lane = null;
            return;
        }
        boolean served = lane == cursor && task == lane.head();
        lane.remove(task);
        task.lane = null;
        KeyLimits.queued(task, -1);
        if (task.rate != null && !task.rate.held.isEmpty()) {
            limits.arm(task.rate, now); // the lanes' tasks of its key cost less now
        }
        if (served) {
            cursor = lane.ringNext;
        }
        settle(lane);
    }

    /** A held task its budget now covers returns to the front of its lane. */
    void unhold(Task task) {
        Lane lane = task.lane;
        lane.addFirst(task);
        KeyLimits.queued(task, 1);
        settle(lane);
    }

    /** The lane joins the ring (at the end of the round) when it may run, and leaves it when not. */
    void settle(Lane lane) {
        boolean ready = lane.ready();
        if (ready == lane.onRing) {
            return;
        }
        lane.onRing = ready;
        onRing += ready ? 1 : -1;
        if (ready) {
            if (cursor == null) {
                lane.ringNext = lane;
                lane.ringPrev = lane;
                cursor = lane;
            } else {
                lane.ringNext = cursor;
                lane.ringPrev = cursor.ringPrev;
                cursor.ringPrev.ringNext = lane;
                cursor.ringPrev = lane;
            }
        } else {
            if (lane.ringNext == lane) {
                cursor = null;
            } else {
                if (cursor == lane) {
                    cursor = lane.ringNext;
                }
                lane.ringPrev.ringNext = lane.ringNext;
                lane.ringNext.ringPrev = lane.ringPrev;
            }
            lane.ringNext = null;
            lane.ringPrev = null;
        }
    }

    /** A concurrency key no live task names any more: its (empty) lane goes. */
    void drop(Lane lane) {
        keyed.remove(lane.slots.key);
    }

    /**
     * How many tasks of this deque come before {@code task} (in a lane): its lane's tasks before it,
     * and from every other lane on the ring as many as the round-robin hands out meanwhile. With
     * more than {@link #EXACT_POSITION_LANES} lanes in turn it is estimated as if every other lane
     * were at least as long (an upper bound), so a submit's answer stays O(1).
     */
    int positionOf(Task task) {
        Lane own = task.lane;
        if (own == null || own.queue != this || task.chain != own) {
            throw new IllegalStateException("task " + task.id + " is not in queue " + this);
        }
        int inLane = own.positionOf(task);
        int position = inLane;
        if (cursor == null || !own.onRing) {
            return position;
        }
        if (onRing > EXACT_POSITION_LANES) {
            return (int) Math.min(Integer.MAX_VALUE, (long) inLane * onRing + onRing - 1);
        }
        boolean before = true;
        Lane lane = cursor;
        do {
            if (lane == own) {
                before = false;
            } else {
                position += Math.min(lane.size(), before ? inLane + 1 : inLane);
            }
            lane = lane.ringNext;
        } while (lane != cursor);
        return position;
    }

    /** The tasks in lanes (held ones apart), lane by lane in queue order. */
    List<Task> inLanes() {
        List<Task> tasks = new ArrayList<>();
        collect(plain, tasks);
        for (Lane lane : keyed.values()) {
            collect(lane, tasks);
        }
        return tasks;
    }

    private static void collect(Lane lane, List<Task> into) {
        for (Task t = lane.head(); t != null; t = t.next) {
            into.add(t);
        }
    }

    private static boolean behindHeld(Task head, RateBucket bucket) {
        return !bucket.held.isEmpty() && head.readySeq > bucket.held.head().readySeq;
    }

    private Lane laneOf(Task task) {
        KeySlots own = task.conc;
        if (own == null) {
            return plain;
        }
        Lane lane = keyed.get(own.key);
        if (lane == null) {
            lane = new Lane(this, own);
            keyed.put(own.key, lane);
            own.lanes.add(lane);
        }
        return lane;
    }

    @Override
    public String toString() {
        return level + "/" + type;
    }
}
