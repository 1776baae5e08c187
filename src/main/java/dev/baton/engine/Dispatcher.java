package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Who runs what: the ready deques, the scorer and the per-type rules (paused, running caps), for
 * both ways a task reaches an agent.
 *
 * <ul>
 *   <li><b>Pull</b> ({@link #pull}): an agent claims; the best head among the deques of the types
 *   it serves goes to it, level first, then score, then age.</li>
 *   <li><b>Push</b> ({@link #place}, {@link #slotFreed}): a task becomes ready, or a slot or a
 *   type's cap comes free; the best parked long-poll gets the task, one task per claim, so there
 *   is no thundering herd.</li>
 * </ul>
 *
 * The status move itself ({@link Assigner}) belongs to the coordinator. Not thread-safe: used
 * under the coordinator's lock.
 */
final class Dispatcher {

    /** The move of a ready task to an agent (PENDING → ASSIGNED, with its lease). */
    @FunctionalInterface
    interface Assigner {
        ClaimedTask assign(Task task, Agent agent);
    }

    private final TypeRules rules;
    private final ReadyQueues ready;
    private final Waiters waiters;
    private final Scorer scorer;
    private final Statuses statuses;
    private final Assigner assigner;
    private final Waiters.Score byScore;

    Dispatcher(EngineConfig config, TypeRules rules, Waiters waiters, Scorer scorer, Statuses statuses,
            Assigner assigner) {
        this.rules = rules;
        this.ready = new ReadyQueues(config.priorityAgingMillis());
        this.waiters = waiters;
        this.scorer = scorer;
        this.statuses = statuses;
        this.assigner = assigner;
        this.byScore = scorer::score;
    }

    ReadyQueues ready() {
        return ready;
    }

    /** A PENDING task goes to the best parked claim that may take it now, else to its deque (front: it keeps its age). */
    void place(Task task, boolean front, long now) {
        if (!blocked(task.type())) {
            PendingClaim waiter = waiters.best(task, byScore);
            if (waiter != null) {
                waiters.deliver(waiter, List.of(assigner.assign(task, waiter.agent)));
                return;
            }
        }
        if (front) {
            ready.addFirst(task);
        } else {
            ready.addLast(task);
        }
    }

    /** Up to {@code max} tasks for the agent (no more than its free slots), best first. */
    List<ClaimedTask> pull(Agent agent, int max, long now) {
        int wanted = Math.min(Math.max(1, max), agent.freeSlots());
        if (wanted <= 0) {
            return List.of();
        }
        List<ClaimedTask> claimed = new ArrayList<>(wanted);
        Iterable<String> types = agent.general ? null : agent.spec.capabilities();
        while (claimed.size() < wanted) {
            Task task = ready.best(types, type -> !blocked(type), t -> scorer.score(t, agent), now);
            if (task == null) {
                break;
            }
            ready.remove(task);
            claimed.add(assigner.assign(task, agent));
        }
        return claimed;
    }

    /** A slot of {@code agent} (may be null) or the running cap of {@code type} came free: feed parked claims that can use it. */
    void slotFreed(String type, Agent agent, long now) {
        PendingClaim pending = agent == null || agent.freeSlots() <= 0 ? null : Waiters.oldestOf(agent);
        if (pending != null) {
            List<ClaimedTask> tasks = pull(agent, pending.max, now);
            if (!tasks.isEmpty()) {
                waiters.deliver(pending, tasks);
            }
        }
        if (rules.of(type).maxRunning() != null) {
            feedWaiters(type, now);
        }
    }

    /** Hand queued tasks of {@code type} to parked claims while its rule allows (after a slot came free, or the rule changed). */
    void feedWaiters(String type, long now) {
        List<String> types = List.of(type);
        while (!blocked(type)) {
            Task head = ready.best(types, t -> true, t -> 0, now);
            if (head == null) {
                return;
            }
            PendingClaim waiter = waiters.best(head, byScore);
            if (waiter == null) {
                return;
            }
            ready.remove(head);
            waiters.deliver(waiter, List.of(assigner.assign(head, waiter.agent)));
        }
    }

    /** Paused, or at its running cap. */
    private boolean blocked(String type) {
        TypeRules.Rule rule = rules.of(type);
        return rule.paused() || rule.maxRunning() != null && statuses.running(type) >= rule.maxRunning();
    }

    /** Recovered PENDING tasks, in the order they became ready, back at the ends of their deques. */
    void restoreQueued(List<Task> queued) {
        for (Task task : queued) {
            ready.addLast(task);
        }
    }

    /** The task leaves its deque (cancelled while PENDING). */
    void remove(Task task) {
        ready.remove(task);
    }

    Integer positionOf(Task task) {
        return task.status == TaskStatus.PENDING && task.queue != null ? ready.positionOf(task) : null;
    }

    /** The score of the pair, term by term, as the choice was made. */
    ScoreBreakdown explain(Task task, Agent agent) {
        return scorer.breakdown(task, agent);
    }

    void recordCompletion(String type, long tookMillis) {
        scorer.recordCompletion(type, tookMillis);
    }
}
