package dev.baton.analytics;

import dev.baton.engine.EventType;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's events as the analytics needs them, handed from the engine's lock to the recording
 * thread without allocating: a ring of preallocated slots, one producer at a time (the engine's
 * lock orders them) and one consumer at a time ({@link Analytics}' monitor orders them).
 *
 * <p>A slot keeps the kind, the instant, the task's start and ready instants, an agent's slots,
 * and three references the engine keeps alive anyway (the task id, its type, the agent id); never
 * the event or the task record, so what the recording has not read yet keeps nothing else alive.
 * {@link #offer} is a few array stores and one ordered store: the claim path pays no atomic
 * read-modify-write, no allocation and no wake-up.
 */
final class SampleRing {

    /** Start or ready instant absent. */
    static final long NONE = Long.MIN_VALUE;
    private static final int LONGS = 4;
    private static final int REFS = 3;
    private static final EventType[] KINDS = EventType.values();
    private static final boolean[] RECORDED = new boolean[KINDS.length];

    static {
        for (EventType kind : new EventType[] {EventType.SUBMITTED, EventType.ASSIGNED, EventType.COMPLETED,
            EventType.FAILED, EventType.RETRYING, EventType.EXPIRED, EventType.REQUEUED, EventType.RELEASED,
            EventType.CANCELLED, EventType.AGENT_REGISTERED, EventType.AGENT_LOST, EventType.AGENT_LEFT}) {
            RECORDED[kind.ordinal()] = true;
        }
    }

    /** What the recording reads of one event. */
    interface Reader {
        /** @param slots an agent's slots on {@code agent.registered}, else -1 */
        void read(EventType kind, long at, String taskId, String type, String agent, long startedAt, long readyAt,
                int slots);
    }

    private final int mask;
    private final long[] longs;
    private final Object[] refs;
    /** The next slot the producer writes; published with an ordered store after the slot. */
    private final AtomicLong tail = new AtomicLong();
    /** The next slot the consumer reads; published after the slot's references are cleared. */
    private final AtomicLong head = new AtomicLong();
    /** The producer's last look at {@link #head}; read again only when the ring seems full. */
    private long headSeen;

    /** @param capacity at least this many slots (a power of two is taken) */
    SampleRing(int capacity) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        mask = size - 1;
        longs = new long[size * LONGS];
        refs = new Object[size * REFS];
    }

    int capacity() {
        return mask + 1;
    }

    /** Whether the analytics records this kind of event at all. */
    static boolean recorded(EventType kind) {
        return RECORDED[kind.ordinal()];
    }

    /**
     * Under the engine's lock: copy what the recording needs of {@code event} into the next slot.
     *
     * @return the slots now waiting, or -1 when the ring is full and the event is dropped
     */
    long offer(TaskEvent event) {
        long t = tail.get();
        if (t - headSeen > mask) {
            headSeen = head.get();
            if (t - headSeen > mask) {
                return -1;
            }
        }
        int slot = (int) (t & mask);
        TaskRecord task = event.task();
        int l = slot * LONGS;
        longs[l] = event.at();
        longs[l + 1] = task == null || task.startedAt() == null ? NONE : task.startedAt();
        longs[l + 2] = task == null ? NONE : task.readyAt();
        int slots = event.agent() == null ? -1 : event.agent().spec().maxConcurrency();
        longs[l + 3] = ((long) event.type().ordinal() << 32) | (slots & 0xFFFF_FFFFL);
        int r = slot * REFS;
        refs[r] = event.taskId();
        refs[r + 1] = event.taskType();
        refs[r + 2] = event.agentId();
        tail.lazySet(t + 1);
        return t + 1 - headSeen;
    }

    /** One consumer at a time: read every slot written so far, oldest first, and free them. */
    int drain(Reader reader) {
        long h = head.get();
        long t = tail.get();
        for (long i = h; i < t; i++) {
            int slot = (int) (i & mask);
            int l = slot * LONGS;
            int r = slot * REFS;
            long kindAndSlots = longs[l + 3];
            String taskId = (String) refs[r];
            String type = (String) refs[r + 1];
            String agent = (String) refs[r + 2];
            refs[r] = null;
            refs[r + 1] = null;
            refs[r + 2] = null;
            try {
                reader.read(KINDS[(int) (kindAndSlots >>> 32)], longs[l], taskId, type, agent, longs[l + 1],
                        longs[l + 2], (int) kindAndSlots);
            } finally {
                head.lazySet(i + 1);
            }
        }
        return (int) (t - h);
    }
}
