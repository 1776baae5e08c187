package dev.baton.engine;

/**
 * Tasks by id in one open-addressing array, with no node per task: a {@code HashMap} keeps a
 * 32-byte node for each entry, and a million tasks' index was a million objects more for the
 * collector to mark and copy. Linear probing at most 5/8 full; a removal shifts the entries after
 * it back, so no tombstones build up. The hash is SipHash-1-3 over the id's characters under a
 * key drawn when the table is made: ids are chosen by clients, and {@code String.hashCode}
 * collisions are easy to make (a {@code HashMap} survives them by turning a bucket into a tree; a
 * probing table would slow to a scan). Not thread-safe: used under the coordinator's lock.
 */
final class TasksById {

    private static final int MIN_CAPACITY = 16;

    private final long k0;
    private final long k1;
    private Task[] table = new Task[MIN_CAPACITY];
    private int size;

    TasksById(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    int size() {
        return size;
    }

    Task get(String id) {
        Task[] t = table;
        int mask = t.length - 1;
        for (int i = hash(id) & mask; ; i = (i + 1) & mask) {
            Task task = t[i];
            if (task == null || task.id.equals(id)) {
                return task;
            }
        }
    }

    /** Indexes {@code task} under its id; the task indexed there before, or null. */
    Task put(Task task) {
        if ((size + 1) * 8L > table.length * 5L) {
            resize(table.length * 2);
        }
        int mask = table.length - 1;
        for (int i = hash(task.id) & mask; ; i = (i + 1) & mask) {
            Task there = table[i];
            if (there == null) {
                table[i] = task;
                size++;
                return null;
            }
            if (there.id.equals(task.id)) {
                table[i] = task;
                return there;
            }
        }
    }

    /** Removes {@code task} if it is the one indexed under {@code id}; true when it was. */
    boolean remove(String id, Task task) {
        int mask = table.length - 1;
        int i = hash(id) & mask;
        while (table[i] != task) {
            if (table[i] == null) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = null;
        size--;
        // the entries after the gap that belong at or before it move back into it
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int home = hash(table[j].id) & mask;
            boolean stays = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!stays) {
                table[i] = table[j];
                table[j] = null;
                i = j;
            }
        }
        return true;
    }

    private void resize(int capacity) {
        Task[] old = table;
        table = new Task[capacity];
        int mask = capacity - 1;
        for (Task task : old) {
            if (task != null) {
                int i = hash(task.id) & mask;
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = task;
            }
        }
    }

    /** SipHash-1-3 of the characters, four to a word, the length in the last one. */
    int hash(String id) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int n = id.length();
        int i = 0;
        while (true) {
            long m;
            boolean last = i + 4 > n;
            if (!last) {
                m = id.charAt(i) | (long) id.charAt(i + 1) << 16 | (long) id.charAt(i + 2) << 32 | (long) id.charAt(i + 3) << 48;
                i += 4;
            } else {
                m = (long) (n & 0xFF) << 56;
                for (int shift = 0; i < n; i++, shift += 16) {
                    m |= (long) id.charAt(i) << shift;
                }
            }
            v3 ^= m;
            // one SipRound per word
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            v0 ^= m;
            if (last) {
                break;
            }
        }
        v2 ^= 0xFF;
        for (int r = 0; r < 3; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        long h = v0 ^ v1 ^ v2 ^ v3;
        return (int) (h ^ (h >>> 32));
    }
}
