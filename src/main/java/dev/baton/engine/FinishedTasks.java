package dev.baton.engine;

import java.util.Arrays;

/**
 * Terminal tasks, out of the hot structures but still readable: bounded by size and by age. Each
 * task leaves {@code retention} after it finished, also when it came back into the cache later
 * (read back from Redis after a restart); past the size bound, the one that finished first leaves
 * first. Nearly every task leaves in the order it came (one retention, and the coordinator's time
 * only goes forward), so those sit in a queue: in at the tail, out at the head, O(1) and touching
 * no other task. A task that would leave before the queue's last one (read back with an older
 * finish time) goes into a binary heap ordered by when each leaves; the first to leave is the
 * earlier of the queue's head and the heap's root. Both are intrusive in {@link Task} (its slot,
 * see {@link #QUEUED}), and a task is found through the id index: nothing is allocated per finished
 * task, where a general-purpose cache kept two nodes and a timer-wheel entry for each, all copied
 * by every young collection a task survives. Time is the coordinator's latest {@code now}, so the
 * engine keeps no clock of its own; a task that leaves the cache leaves the id index too. Not
 * thread-safe: used under the coordinator's lock.
 */
final class FinishedTasks {

    /**
     * {@link Task#finishedSlot} of a task not here. A slot {@code >= 0} is its place in the heap; one
     * at or below {@link #QUEUED} is its place {@code QUEUED - slot} in the queue.
     */
    static final int ABSENT = -1;
    static final int QUEUED = -2;

    private final long maxSize;
    private final long retentionMillis;
    private final TaskIndex index;
    /** Tasks in the order they came, when each leaves; {@code queue[head..tail)}, null where one left early. */
    private Task[] queue = new Task[64];
    private long[] queueExpiries = new long[64];
    private int head;
    private int tail;
    private int queued;
    /** A min-heap on {@link #expiries}: slot 0 leaves first. */
    private Task[] heap = new Task[16];
    private long[] expiries = new long[16];
    private int heapSize;
    private long nowMillis;

    FinishedTasks(long maxSize, long retentionMillis, TaskIndex index) {
        this.maxSize = Math.max(0, maxSize);
        this.retentionMillis = retentionMillis;
        this.index = index;
    }

    void advance(long now) {
        nowMillis = Math.max(nowMillis, now);
    }

    /** Adds a finished task, or gives one already here the expiry its finish time says now. */
    void put(Task task) {
        detach(task);
        long expiry = expiryOf(task);
        if (head == tail || expiry >= queueExpiries[tail - 1]) {
            enqueue(task, expiry);
        } else {
            push(task, expiry);
        }
        cleanUp();
    }

    /** The finished task with this id, or null (not here, or its retention is over). */
    Task get(String id) {
        return kept(index.get(id));
    }

    /** The task if it is here and its retention is not over, else null (also for null). */
    Task kept(Task task) {
        if (task == null) {
            return null;
        }
        int slot = task.finishedSlot;
        long expiry;
        if (slot >= 0) {
            expiry = expiries[slot];
        } else if (slot <= QUEUED) {
            expiry = queueExpiries[QUEUED - slot];
        } else {
            return null;
        }
        return expiry <= nowMillis ? null : task;
    }

    /** A finished task runs again: out of the cache, still in the id index. */
    void remove(String id) {
        Task task = index.get(id);
        if (task != null) {
            detach(task);
        }
    }

    long size() {
        cleanUp();
        return queued + heapSize;
    }

    /** Tasks past their retention, and the oldest past the size bound, leave the cache and the id index. */
    void cleanUp() {
        while (queued + heapSize > 0) {
            while (head < tail && queue[head] == null) {
                head++;
            }
            boolean fromQueue = queued > 0 && (heapSize == 0 || queueExpiries[head] <= expiries[0]);
            long first = fromQueue ? queueExpiries[head] : expiries[0];
            if (queued + heapSize <= maxSize && first > nowMillis) {
                return;
            }
            Task gone;
            if (fromQueue) {
                gone = queue[head];
                dequeueAt(head);
            } else {
                gone = heap[0];
                removeAt(0);
            }
            index.remove(gone.id, gone);
        }
    }

    private long expiryOf(Task task) {
        long finished = task.completedAt != Task.NONE ? task.completedAt : nowMillis;
        long expiry = finished + retentionMillis;
        return ((finished ^ expiry) & (retentionMillis ^ expiry)) < 0 ? Long.MAX_VALUE : expiry; // saturating
    }

    /** Takes the task out of the queue or the heap, wherever it is. */
    private void detach(Task task) {
        int slot = task.finishedSlot;
        if (slot >= 0) {
            removeAt(slot);
        } else if (slot <= QUEUED) {
            dequeueAt(QUEUED - slot);
        }
    }

    private void enqueue(Task task, long expiry) {
        if (tail == queue.length) {
            if (head >= queue.length / 2) {
                shiftQueue(); // the live part moves to the front: each task moves once per half a queue that left
            } else {
                queue = Arrays.copyOf(queue, queue.length * 2);
                queueExpiries = Arrays.copyOf(queueExpiries, queue.length);
            }
        }
        queue[tail] = task;
        queueExpiries[tail] = expiry;
        task.finishedSlot = QUEUED - tail++;
        queued++;
    }

    private void dequeueAt(int at) {
        queue[at].finishedSlot = ABSENT;
        queue[at] = null; // its expiry stays: the next one in must not leave before it would have
        queued--;
        if (queued == 0) {
            head = 0;
            tail = 0;
        }
    }

    private void shiftQueue() {
        int length = tail - head;
        System.arraycopy(queue, head, queue, 0, length);
        System.arraycopy(queueExpiries, head, queueExpiries, 0, length);
        Arrays.fill(queue, length, tail, null);
        for (int at = 0; at < length; at++) {
            if (queue[at] != null) {
                queue[at].finishedSlot = QUEUED - at;
            }
        }
        head = 0;
        tail = length;
    }

    private void push(Task task, long expiry) {
        if (heapSize == heap.length) {
            heap = Arrays.copyOf(heap, heapSize * 2);
            expiries = Arrays.copyOf(expiries, heapSize * 2);
        }
        heap[heapSize] = task;
        expiries[heapSize] = expiry;
        task.finishedSlot = heapSize++;
        up(task.finishedSlot);
    }

    private void removeAt(int at) {
        Task task = heap[at];
        task.finishedSlot = ABSENT;
        int last = --heapSize;
        if (at == last) {
            heap[last] = null;
            return;
        }
        long moved = expiries[last];
        heap[at] = heap[last];
        expiries[at] = moved;
        heap[at].finishedSlot = at;
        heap[last] = null;
        if (at > 0 && moved < expiries[(at - 1) >>> 1]) {
            up(at);
        } else {
            down(at);
        }
    }

    private void up(int at) {
        Task task = heap[at];
        long expiry = expiries[at];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (expiries[parent] <= expiry) {
                break;
            }
            place(heap[parent], expiries[parent], at);
            at = parent;
        }
        place(task, expiry, at);
    }

    private void down(int at) {
        Task task = heap[at];
        long expiry = expiries[at];
        int half = heapSize >>> 1;
        while (at < half) {
            int child = 2 * at + 1;
            if (child + 1 < heapSize && expiries[child + 1] < expiries[child]) {
                child++;
            }
            if (expiry <= expiries[child]) {
                break;
            }
            place(heap[child], expiries[child], at);
            at = child;
        }
        place(task, expiry, at);
    }

    private void place(Task task, long expiry, int at) {
        heap[at] = task;
        expiries[at] = expiry;
        task.finishedSlot = at;
    }
}
