package dev.baton.engine;

import java.util.Arrays;

/**
 * Terminal tasks, out of the hot structures but still readable: bounded by size and by age. Each
 * task leaves {@code retention} after it finished, also when it came back into the cache later
 * (read back from Redis after a restart); past the size bound, the one that finished first leaves
 * first. Both are one binary heap ordered by when each task leaves, intrusive in {@link Task} (its
 * slot and its expiry), and a task is found through the id index: nothing is allocated per
 * finished task, where a general-purpose cache kept two nodes and a timer-wheel entry for each, all
 * copied by every young collection a task survives. Time is the coordinator's latest {@code now},
 * so the engine keeps no clock of its own; a task that leaves the cache leaves the id index too.
 * Not thread-safe: used under the coordinator's lock.
 */
final class FinishedTasks {

    private final long maxSize;
    private final long retentionMillis;
    private final TaskIndex index;
    /** A min-heap on {@link #expiries}: slot 0 leaves first. */
    private Task[] heap = new Task[64];
    private long[] expiries = new long[64];
    private int size;
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
        long expiry = expiryOf(task);
        if (task.finishedSlot >= 0) {
            int at = task.finishedSlot;
            long before = expiries[at];
            expiries[at] = expiry;
            if (expiry < before) {
                up(at);
            } else {
                down(at);
            }
        } else {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
                expiries = Arrays.copyOf(expiries, size * 2);
            }
            heap[size] = task;
            expiries[size] = expiry;
            task.finishedSlot = size++;
            up(task.finishedSlot);
        }
        cleanUp();
    }

    /** The finished task with this id, or null (not here, or its retention is over). */
    Task get(String id) {
        return kept(index.get(id));
    }

    /** The task if it is here and its retention is not over, else null (also for null). */
    Task kept(Task task) {
        if (task == null || task.finishedSlot < 0 || expiries[task.finishedSlot] <= nowMillis) {
            return null;
        }
        return task;
    }

    /** A finished task runs again: out of the cache, still in the id index. */
    void remove(String id) {
        Task task = index.get(id);
        if (task != null && task.finishedSlot >= 0) {
            removeAt(task.finishedSlot);
        }
    }

    long size() {
        cleanUp();
        return size;
    }

    /** Tasks past their retention, and the oldest past the size bound, leave the cache and the id index. */
    void cleanUp() {
        while (size > 0 && (size > maxSize || expiries[0] <= nowMillis)) {
            Task gone = heap[0];
            removeAt(0);
            index.remove(gone.id, gone);
        }
    }

    private long expiryOf(Task task) {
        long finished = task.completedAt != Task.NONE ? task.completedAt : nowMillis;
        long expiry = finished + retentionMillis;
        return ((finished ^ expiry) & (retentionMillis ^ expiry)) < 0 ? Long.MAX_VALUE : expiry; // saturating
    }

    private void removeAt(int at) {
        Task task = heap[at];
        task.finishedSlot = -1;
        size--;
        if (at == size) {
            heap[size] = null;
            return;
        }
        long moved = expiries[size];
        heap[at] = heap[size];
        expiries[at] = moved;
        heap[at].finishedSlot = at;
        heap[size] = null;
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
        int half = size >>> 1;
        while (at < half) {
            int child = 2 * at + 1;
            if (child + 1 < size && expiries[child + 1] < expiries[child]) {
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
