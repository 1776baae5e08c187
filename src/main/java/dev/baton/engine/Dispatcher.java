package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

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
    private final KeyLimits limits;
    private final ReadyQueues ready;
    private final Waiters waiters;
    private final Scorer scorer;
    private final Statuses statuses;
    private final Assigner assigner;
    private final Waiters.Score byScore;
    private final Predicate<String> unblocked = type -> !blocked(type);

    Dispatcher(EngineConfig config, TypeRules rules, Waiters waiters, Scorer scorer, Statuses statuses,
            Assigner assigner) {
        this.rules = rules;
        this.limits = new KeyLimits(config.limits());
        this.ready = new ReadyQueues(config.priorityAgingMillis(), limits);
        this.waiters = waiters;
        this.scorer = scorer;
        this.statuses = statuses;
        this.assigner = assigner;
        this.byScore = scorer::score;
    }

    ReadyQueues ready() {
        return ready;
    }

    KeyLimits limits() {
        return limits;
    }

    /** A PENDING task goes to the best parked claim that may take it now, else to its deque (front: it keeps its age). */
    void place(Task task, boolean front, long now) {
        if (!blocked(task.type()) && limits.admits(task, now)) {
            PendingClaim waiter = waiters.best(task, byScore);
            if (waiter != null) {
                waiters.deliver(waiter, List.of(assigner.assign(task, waiter.agent)));
                return;
            }
        }
        ready.add(task, front, now);
    }

    /** Up to {@code max} tasks for the agent (no more than its free slots), best first. */
    List<ClaimedTask> pull(Agent agent, int max, long now) {
        int wanted = Math.min(Math.max(1, max), agent.freeSlots());
        if (wanted <= 0) {
            return List.of();
        }
        releaseDue(now);
        List<ClaimedTask> claimed = new ArrayList<>(wanted);
        Iterable<String> types = agent.general ? null : agent.spec.capabilities();
        while (claimed.size() < wanted) {
            Task task = ready.best(types, unblocked, t -> scorer.score(t, agent), now);
            if (task == null) {
                break;
            }
            ready.remove(task, now);
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
        if (rules.of(type).capped()) {
            feedWaiters(type, now);
        }
        feedFreed(now);
    }

    /** Rate keys whose refill is due hand their held tasks back; parked claims are fed what became claimable. */
    void releaseDue(long now) {
        limits.releaseDue(now);
        feedFreed(now);
    }

    /** Feed parked claims the types a refill, a freed key slot or a limit's change made claimable. */
    void feedFreed(long now) {
        for (String type : limits.takeFreed()) {
            feedWaiters(type, now);
        }
    }

    /** A task that may run names its keys' budgets (new, retried, or recovered). */
    void attach(Task task, long now) {
        limits.attach(task, now);
    }

    /** The task ended: its keys forget it. */
    void detach(Task task, long now) {
        limits.detach(task, now);
    }

    /** The task was handed out: its rate key pays, its concurrency key counts one more run. */
    void started(Task task, long now) {
        limits.started(task, now);
    }

    /** A run ended: its concurrency key has a slot again (parked claims are fed by {@link #slotFreed}). */
    void runEnded(Task task) {
        limits.ended(task);
    }

    /** A recovered running task counts on its concurrency key. */
    void restoreRunning(Task task) {
        limits.restoreRunning(task);
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
            ready.remove(head, now);
            waiters.deliver(waiter, List.of(assigner.assign(head, waiter.agent)));
        }
    }

    /** Paused, or at its running cap (fixed or adaptive). */
    private boolean blocked(String type) {
        TypeRules.Rule rule = rules.of(type);
        return rule.paused() || rule.capped() && statuses.running(type) >= rule.cap();
    }

    /** Recovered PENDING tasks, in the order they became ready, back at the ends of their deques. */
    void restoreQueued(List<Task> queued, long now) {
        for (Task task : queued) {
            ready.add(task, false, now);
        }
    }

    /** The task leaves its deque (cancelled while PENDING). */
    void remove(Task task, long now) {
        ready.remove(task, now);
    }

    /** Its place while PENDING in a lane; null while held on its rate key (or not ready). */
    Integer positionOf(Task task) {
        return task.status == TaskStatus.PENDING && task.lane != null && task.chain == task.lane
                ? ready.positionOf(task) : null;
    }

    /** The score of the pair, term by term, as the choice was made. */
    ScoreBreakdown explain(Task task, Agent agent) {
        return scorer.breakdown(task, agent);
    }

    void recordCompletion(String type, long tookMillis) {
        scorer.recordCompletion(type, tookMillis);
    }
}
