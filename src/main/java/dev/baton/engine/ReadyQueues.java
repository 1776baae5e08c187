package dev.baton.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * All ready deques: one per (level, type). A claim looks only at the heads of the deques its
 * agent may serve, so its cost is O(levels × agent's types), never O(queued tasks).
 *
 * <p>Picking among heads (docs/model.md): levels are strict, judged by the <em>effective</em> level
 * (one step higher per {@code agingMillis} waited); the caller's scorer decides inside a level,
 * and ties go to the task that became ready first. Because every deque is in ready order, its
 * head is also its oldest task and so the one aging has lifted furthest. With concurrency keys a
 * deque's head is the next lane's in its round-robin ({@link ReadyQueue}); rate keys out of budget
 * hold their tasks aside ({@link KeyLimits}).
 */
final class ReadyQueues {

    /** Scores a candidate head for the caller; higher wins. */
    interface Score {
        double of(Task task);
    }

    private final long agingMillis;
    private final KeyLimits limits;
    @SuppressWarnings("unchecked")
    private final Map<String, ReadyQueue>[] byLevel = new Map[Priority.levels()];
    private int size;

    ReadyQueues(long agingMillis, KeyLimits limits) {
        this.agingMillis = agingMillis;
        this.limits = limits;
        for (int level = 0; level < byLevel.length; level++) {
            byLevel[level] = new LinkedHashMap<>();
        }
    }

    int size() {
        return size;
    }

    /** The task joins its deque: at the back, or at the front when it keeps its age (a run that ended without its fault). */
    void add(Task task, boolean front, long now) {
        queue(task.level, task.type()).add(task, front, now);
        size++;
    }

    void remove(Task task, long now) {
        task.lane.queue.remove(task, now);
        size--;
    }

    int effectiveLevel(Task task, long now) {
        int level = task.level.level();
        if (agingMillis <= 0 || level == 0) {
            return level;
        }
        long steps = Math.max(0, now - task.readyAt) / agingMillis;
        return (int) Math.max(0, level - steps);
    }

    /**
     * The best head among the deques of {@code types} (all types when {@code types} is null) whose
     * type {@code allowed} accepts, or null.
     */
    Task best(Iterable<String> types, Predicate<String> allowed, Score score, long now) {
        Pick pick = new Pick();
        // with aging on, a lower base level may have aged up to the best level found so far
        for (int level = 0; level < byLevel.length && (agingMillis > 0 || level <= pick.level); level++) {
            Map<String, ReadyQueue> queues = byLevel[level];
            if (queues.isEmpty()) {
                continue;
            }
            if (types == null) {
                for (ReadyQueue queue : queues.values()) {
                    consider(queue, allowed, score, now, pick);
                }
            } else {
                for (String type : types) {
                    consider(queues.get(type), allowed, score, now, pick);
                }
            }
        }
        return pick.task;
    }

    /** The best head so far of one {@link #best} call. */
    private static final class Pick {
        Task task;
        int level = Integer.MAX_VALUE;
        double score;
    }

    private void consider(ReadyQueue queue, Predicate<String> allowed, Score score, long now, Pick pick) {
        Task head = queue == null || !allowed.test(queue.type) ? null : queue.peek(now);
        if (head == null) {
            return;
        }
        int effective = effectiveLevel(head, now);
        if (effective > pick.level) {
            return;
        }
        double s = score.of(head);
        if (better(effective, s, head, pick)) {
            pick.task = head;
            pick.level = effective;
            pick.score = s;
        }
    }

    private static boolean better(int level, double score, Task task, Pick pick) {
        if (pick.task == null || level < pick.level) {
            return true;
        }
        if (level > pick.level) {
            return false;
        }
        if (score != pick.score) {
            return score > pick.score;
        }
        return task.readySeq < pick.task.readySeq;
    }

    /** Tasks of the same type handed out before {@code task}: higher levels first, then its own deque. */
    int positionOf(Task task) {
        int position = 0;
        for (int level = 0; level < task.level.level(); level++) {
            ReadyQueue higher = byLevel[level].get(task.type());
            if (higher != null) {
                position += higher.size();
            }
        }
        return position + task.lane.queue.positionOf(task);
    }

    int depth(Priority level) {
        int depth = 0;
        for (ReadyQueue queue : byLevel[level.level()].values()) {
            depth += queue.size();
        }
        return depth;
    }

    Map<String, Integer> depthByType(Priority level) {
        Map<String, Integer> depths = new HashMap<>();
        for (ReadyQueue queue : byLevel[level.level()].values()) {
            if (!queue.isEmpty()) {
                depths.put(queue.type, queue.size());
            }
        }
        return depths;
    }

    /** PENDING tasks per type, all levels together. */
    Map<String, Integer> depthByType() {
        Map<String, Integer> depths = new HashMap<>();
        for (Map<String, ReadyQueue> queues : byLevel) {
            for (ReadyQueue queue : queues.values()) {
                if (!queue.isEmpty()) {
                    depths.merge(queue.type, queue.size(), Integer::sum);
                }
            }
        }
        return depths;
    }

    /** Every queued task, lane by lane, then the held ones: for invariant checks. */
    List<Task> all() {
        List<Task> tasks = new ArrayList<>(size);
        for (Map<String, ReadyQueue> queues : byLevel) {
            for (ReadyQueue queue : queues.values()) {
                tasks.addAll(queue.inLanes());
            }
        }
        limits.forEachHeld(tasks::add);
        return tasks;
    }

    private ReadyQueue queue(Priority level, String type) {
        Map<String, ReadyQueue> queues = byLevel[level.level()];
        ReadyQueue queue = queues.get(type); // get, then put when new: no capturing lambda per task
        if (queue == null) {
            queue = new ReadyQueue(level, type, limits);
            queues.put(type, queue);
        }
        return queue;
    }
}
