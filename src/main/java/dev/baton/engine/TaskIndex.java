package dev.baton.engine;

import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Every readable task by id, and in id order for paging, without a sorted map on the submit path:
 * a hash map finds a task; the order is an array of tasks in ascending id order, appended to as
 * long as ids come in order (server ids do: they sort by creation time), plus a sorted map for the
 * few that do not (client ids, recovery). A task knows its slot in the array ({@link Task#indexSlot}),
 * so removing it searches nothing. A removed task's slot is emptied at once (so the task,
 * its payload and its result are garbage as soon as the finished cache lets go of them) and its id
 * stays, to keep the order searchable, until enough slots are empty to compact the arrays.
 * Compacting also merges the out-of-order ones in, so both stay cheap. Not thread-safe: used under
 * the coordinator's lock.
 */
final class TaskIndex {

    private static final int MIN_COMPACT = 1024;

    private final Map<String, Task> byId = new HashMap<>();
    /** Ascending ids, strictly: {@link #slots}' ids, kept while a slot is empty. */
    private String[] ids = new String[64];
    /** The tasks of {@link #ids}; null where the task was removed (a dead slot). */
    private Task[] slots = new Task[64];
    private int size;
    private int dead;
    /** Live tasks whose ids are not in {@link #slots}. */
    private final TreeMap<String, Task> late = new TreeMap<>();

    Task get(String id) {
        return byId.get(id);
    }

    int size() {
        return byId.size();
    }

    void put(Task task) {
        String id = task.id;
        Task previous = byId.put(id, task);
        if (previous == task) {
            return;
        }
        if (previous != null && late.replace(id, task) != null) {
            task.indexSlot = -1;
            return;
        }
        if (size == 0 || id.compareTo(ids[size - 1]) > 0) {
            append(task);
            return;
        }
        int at = slot(id);
        if (at >= 0) {
            if (slots[at] == null) {
                dead--; // the slot held a removed task with this id
            }
            slots[at] = task;
            task.indexSlot = at;
            return;
        }
        task.indexSlot = -1;
        late.put(id, task);
        if (late.size() >= MIN_COMPACT && late.size() > size / 4) {
            compact();
        }
    }

    /** Removes {@code task} if it is the one indexed under its id. */
    void remove(String id, Task task) {
        if (!byId.remove(id, task) || task.indexSlot < 0 && late.remove(id, task)) {
            return;
        }
        int at = task.indexSlot >= 0 ? task.indexSlot : slot(id); // every indexed id is in the array or among the late ones
        task.indexSlot = -1;
        if (at >= 0) {
            slots[at] = null;
        }
        dead++;
        if (dead >= MIN_COMPACT && dead > size / 2) {
            compact();
        }
    }

    /** Every task in id order. */
    Iterable<Task> after(String after) {
        return () -> new InOrder(after);
    }

    /** Every task in id order, as a collection. */
    Collection<Task> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<Task> iterator() {
                return new InOrder(null);
            }

            @Override
            public int size() {
                return byId.size();
            }
        };
    }

    private void append(Task task) {
        if (size == slots.length) {
            slots = Arrays.copyOf(slots, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size] = task.id;
        task.indexSlot = size;
        slots[size++] = task;
    }

    /** The slot holding {@code id}, or {@code -(insertion point) - 1}. */
    private int slot(String id) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int c = ids[mid].compareTo(id);
            if (c < 0) {
                low = mid + 1;
            } else if (c > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    /** A new array of the live tasks in order, the late ones merged in (iterators over the old one are unaffected). */
    private void compact() {
        int length = Math.max(64, Integer.highestOneBit(Math.max(1, byId.size())) * 2);
        Task[] merged = new Task[length];
        String[] mergedIds = new String[length];
        int n = 0;
        Iterator<Task> it = new InOrder(null);
        while (it.hasNext()) {
            Task task = it.next();
            mergedIds[n] = task.id;
            task.indexSlot = n;
            merged[n++] = task;
        }
        slots = merged;
        ids = mergedIds;
        size = n;
        dead = 0;
        late.clear();
    }

    /** The array's live tasks and the late ones, merged in id order, from past {@code after}. */
    private final class InOrder implements Iterator<Task> {

        private final Task[] array = slots;
        private final int end = size;
        private final Iterator<Task> others;
        private int at;
        private Task other;
        private Task next;

        InOrder(String after) {
            if (after == null) {
                at = 0;
                others = late.values().iterator();
            } else {
                int found = slot(after);
                at = found >= 0 ? found + 1 : -found - 1;
                others = late.tailMap(after, false).values().iterator();
            }
            other = others.hasNext() ? others.next() : null;
            advance();
        }

        private void advance() {
            while (at < end && array[at] == null) {
                at++;
            }
            Task fromArray = at < end ? array[at] : null;
            if (fromArray != null && (other == null || fromArray.id.compareTo(other.id) < 0)) {
                next = fromArray;
                at++;
            } else {
                next = other;
                other = other != null && others.hasNext() ? others.next() : null;
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Task next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Task current = next;
            advance();
            return current;
        }
    }
}
