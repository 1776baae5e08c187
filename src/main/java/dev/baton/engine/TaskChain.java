package dev.baton.engine;

/**
 * An intrusive doubly linked list of {@link Task}s through their {@link Task#prev}/{@link Task#next}
 * links: O(1) at both ends and for a removal from the middle, no node allocated per task. A task is
 * in at most one chain at a time ({@link Task#chain}): a {@link Lane} of a ready deque, or a rate
 * key's holding queue ({@link RateBucket}). Not thread-safe.
 */
class TaskChain {

    private Task head;
    private Task tail;
    private int size;

    final int size() {
        return size;
    }

    final boolean isEmpty() {
        return size == 0;
    }

    final Task head() {
        return head;
    }

    final Task tail() {
        return tail;
    }

    void addLast(Task task) {
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
        link(task);
        task.next = head;
        if (head == null) {
            tail = task;
        } else {
            head.prev = task;
        }
        head = task;
    }

    void remove(Task task) {
        if (task.chain != this) {
            throw new IllegalStateException("task " + task.id + " is not in " + this);
        }
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
        task.chain = null;
        size--;
    }

    private void link(Task task) {
        if (task.chain != null) {
            throw new IllegalStateException("task " + task.id + " is already queued in " + task.chain);
        }
        task.chain = this;
        size++;
    }
}
