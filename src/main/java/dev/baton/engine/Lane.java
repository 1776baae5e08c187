package dev.baton.engine;

import java.util.TreeSet;

/**
 * One concurrency key's tasks inside a ready deque ({@link ReadyQueue}), in ready order; tasks
 * without a key have a lane of their own. A lane with tasks whose key is not at its running cap is
 * on its deque's round-robin ring ({@link #ringNext}, {@link #ringPrev}).
 *
 * <p>Every task gets a slot number when it joins: the tail's plus one, or the head's minus one,
 * so the slots of the live tasks and the holes left by removals from the middle (cancellations)
 * always cover [head.slot, tail.slot] without gaps. A task's position is then its slot distance
 * from the head minus the holes between, which are kept in a small sorted set and pruned as the
 * head or tail passes them. Claims touch only the head: O(1), plus O(log h) pruning when holes exist.
 */
final class Lane extends TaskChain {

    final ReadyQueue queue;
    /** The concurrency key's running count and cap; null for the lane of tasks without a key. */
    final KeySlots slots;

    Lane ringNext;
    Lane ringPrev;
    boolean onRing;

    /** Slots of tasks removed from the middle; null until the first such removal (most lanes never have one). */
    private TreeSet<Long> holes;

    Lane(ReadyQueue queue, KeySlots slots) {
        this.queue = queue;
        this.slots = slots;
    }

    @Override
    void addLast(Task task) {
        task.slot = tail() == null ? 0 : tail().slot + 1;
        super.addLast(task);
        task.lane = this;
    }

    @Override
    void addFirst(Task task) {
        task.slot = head() == null ? 0 : head().slot - 1;
        super.addFirst(task);
        task.lane = this;
    }

    @Override
    void remove(Task task) {
        boolean wasHead = task == head();
        boolean wasTail = task == tail();
        super.remove(task);
        if (!wasHead && !wasTail) {
            if (holes == null) {
                holes = new TreeSet<>();
            }
            holes.add(task.slot);
        } else if (holes == null || holes.isEmpty()) {
            return; // a claim takes the head: nothing to prune, nothing allocated
        } else if (isEmpty()) {
            holes.clear();
        } else if (wasHead) {
            holes.headSet(head().slot).clear();
        } else {
            holes.tailSet(tail().slot, false).clear();
        }
    }

    /** How many tasks of this lane come before {@code task}. */
    int positionOf(Task task) {
        if (task.chain != this) {
            throw new IllegalStateException("task " + task.id + " is not in " + this);
        }
        long distance = task.slot - head().slot;
        int removedBetween = holes == null || holes.isEmpty() ? 0
                : holes.subSet(head().slot, false, task.slot, false).size();
        return (int) (distance - removedBetween);
    }

    /** May hand out its head: has tasks, and its key is below its running cap. */
    boolean ready() {
        return !isEmpty() && (slots == null || !slots.full());
    }

    @Override
    public String toString() {
        return queue + (slots == null ? "" : "/" + slots.key);
    }
}
