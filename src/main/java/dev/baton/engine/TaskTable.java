package dev.baton.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where every readable task is found by id: live tasks (not ended), finished ones in a bounded
 * cache ({@link FinishedTasks}), finished ones lent back for one call from where they are kept
 * for the retention, and an index of all of them in id order for paging ({@link TaskIndex}).
 * Not thread-safe: used under the coordinator's lock.
 */
final class TaskTable {

    /** Every readable task by id; a live one is marked {@link Task#live} (no second map of them). */
    private final TaskIndex index = new TaskIndex();
    private int liveCount;
    private final FinishedTasks finished;
    /** Finished tasks taken back for one call, before they join the cache. */
    private final Map<String, Task> lent = new HashMap<>();

    TaskTable(long finishedCacheSize, long retentionMillis) {
        this.finished = new FinishedTasks(finishedCacheSize, retentionMillis, index);
    }

    Task find(String id) {
        Task task = index.get(id);
        if (task != null && !task.live) {
            task = finished.kept(task);
        }
        return task != null || lent.isEmpty() ? task : lent.get(id);
    }

    Task require(String id) {
        Task task = id == null ? null : find(id);
        if (task == null) {
            throw NotFoundException.task(id);
        }
        return task;
    }

    /** The ids (nulls aside) not found here, in their order; {@code List.of()} when there is none. */
    List<String> missing(Collection<String> ids) {
        List<String> missing = List.of();
        for (String id : ids) {
            if (id != null && find(id) == null) {
                if (missing.isEmpty()) {
                    missing = new ArrayList<>();
                }
                missing.add(id);
            }
        }
        return missing;
    }

    /** A task that has not ended: new, or recovered. */
    void addLive(Task task) {
        setLive(task, true);
        index.put(task);
    }

    /** A finished task read back by recovery. */
    void addFinished(Task task) {
        index.put(task);
        finished.put(task);
    }

    /** The task ended: out of the live tasks, into the finished cache. */
    void ended(Task task) {
        setLive(task, false);
        finished.put(task);
    }

    /** A finished task runs again (a dead letter retried). */
    void revived(Task task) {
        finished.remove(task.id);
        setLive(task, true);
    }

    private void setLive(Task task, boolean live) {
        if (task.live != live) {
            task.live = live;
            liveCount += live ? 1 : -1;
        }
    }

    /** A finished task taken back for the current call only ({@link #returnLent}). */
    void lend(Task task) {
        index.put(task);
        lent.put(task.id, task);
    }

    /** The call is over: lent tasks still finished join the cache like other finished tasks. */
    void returnLent() {
        for (Task task : lent.values()) {
            if (task.status.isTerminal() && !task.live) {
                finished.put(task);
            }
        }
        lent.clear();
    }

    int liveCount() {
        return liveCount;
    }

    /** The live tasks, found by a walk of every readable one: for checks, not for a hot path. */
    List<Task> live() {
        List<Task> live = new ArrayList<>(liveCount);
        for (Task task : index.values()) {
            if (task.live) {
                live.add(task);
            }
        }
        return live;
    }

    /** Every readable task in id order. */
    Collection<Task> all() {
        return index.values();
    }

    boolean isIndexed(Task task) {
        return index.get(task.id) == task;
    }

    /** Up to {@code limit} + 1 matching tasks after {@code after} in id order (one more tells that a next page exists). */
    List<Task> matching(String after, int limit, Predicate<Task> filter) {
        List<Task> page = new ArrayList<>(Math.min(limit + 1, 128));
        for (Task task : index.after(after)) {
            if (filter.test(task)) {
                page.add(task);
                if (page.size() > limit) {
                    break;
                }
            }
        }
        return page;
    }

    /**
     * A page of at most {@code limit} matching tasks after {@code after} in id order, looking at no
     * more than {@code budget} tasks, so that a filter few tasks match costs the lock a bounded walk
     * however many tasks there are. A page cut short by the budget may hold fewer than
     * {@code limit} tasks (none, even) and still names where the next one starts.
     */
    Page page(String after, int limit, int budget, Predicate<Task> filter) {
        List<Task> found = new ArrayList<>(Math.min(limit + 1, 128));
        int looked = 0;
        String lastLooked = null;
        for (Task task : index.after(after)) {
            if (looked++ == budget) {
                return new Page(found, lastLooked);
            }
            lastLooked = task.id;
            if (filter.test(task)) {
                found.add(task);
                if (found.size() > limit) {
                    return new Page(found.subList(0, limit), found.get(limit - 1).id);
                }
            }
        }
        return new Page(found, null);
    }

    /** A page of tasks, and the cursor of the next one (null: this is the last). */
    record Page(List<Task> tasks, String nextAfter) {
    }

    void advance(long now) {
        finished.advance(now);
    }

    void cleanUp() {
        finished.cleanUp();
    }
}
