package dev.baton.engine;

import java.util.TreeSet;

/**
 * The ready deque of one (level, type): an intrusive doubly linked list of {@link Task}s.
 *
 * <p>Every task gets a slot number when it joins: the tail's plus one, or the head's minus one,
 * so the slots of the live tasks and the holes left by removals from the middle (cancellations)
 * always cover [head.slot, tail.slot] without gaps. A task's position is then its slot distance
 * from the head minus the holes between, which are kept in a small sorted set and pruned as the
 * head or tail passes them. Claims touch only the head: O(1), plus
 * O(log h) pruning when holes exist.
 */
final class ReadyQueue {

    final Priority level;
    final String type;

    private Task head;
    private Task tail;
    private int size;
    private final TreeSet<Long> holes = new TreeSet<>();

    ReadyQueue(Priority level, String type) {
        this.level = level;
        this.type = type;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    Task peek() {
        return head;
    }

    void addLast(Task task) {
        task.slot = tail == null ? 0 : tail.slot + 1;
        link(task);
        task.prev = tail;
        if (tail == null) {
            head = task;
        } else {
            tail.next = task;
        }
        tail = task;
    }

    void addFirst(Task task) {
        task.slot = head == null ? 0 : head.slot - 1;
        link(task);
        task.next = head;
        if (head == null) {
            tail = task;
        } else {
            head.prev = task;
        }
        head = task;
    }

    Task poll() {
        Task task = head;
        if (task != null) {
            remove(task);
        }
        return task;
    }

    void remove(Task task) {
        if (task.queue != this) {
            throw new IllegalStateException("task " + task.id + " is not in queue " + this);
        }
        boolean wasHead = task == head;
        boolean wasTail = task == tail;
        if (task.prev == null) {
            head = task.next;
        } else {
            task.prev.next = task.next;
        }
        if (task.next == null) {
            tail = task.prev;
        } else {
            task.next.prev = task.prev;
        }
        task.prev = null;
        task.next = null;
        task.queue = null;
        size--;
        if (size == 0) {
            holes.clear();
        } else if (wasHead) {
            holes.headSet(head.slot).clear();
        } else if (wasTail) {
            holes.tailSet(tail.slot, false).clear();
        } else {
            holes.add(task.slot);
        }
    }

    /** How many tasks of this deque come before {@code task}. */
    int positionOf(Task task) {
        if (task.queue != this) {
            throw new IllegalStateException("task " + task.id + " is not in queue " + this);
        }
        long distance = task.slot - head.slot;
        int removedBetween = holes.isEmpty() ? 0 : holes.subSet(head.slot, false, task.slot, false).size();
        return (int) (distance - removedBetween);
    }

    private void link(Task task) {
        if (task.queue != null) {
            throw new IllegalStateException("task " + task.id + " is already queued in " + task.queue);
        }
        task.queue = this;
        size++;
    }

    @Override
    public String toString() {
        return level + "/" + type;
    }
}
