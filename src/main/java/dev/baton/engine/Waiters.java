package dev.baton.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Parked long-poll claims, indexed by the task types their agent serves exactly (general agents
 * apart), so a task made ready finds its candidates without a scan of every agent.
 *
 * <p>Answering is split in two: {@link #deliver} and {@link #endEmpty} record the answer under
 * the coordinator's lock; {@link #flush} completes the futures after the lock is released, so no
 * caller's continuation runs under it. Everything but {@link #flush} is not thread-safe and is
 * used under the lock.
 */
final class Waiters {

    /** How a parked agent scores for a task; higher is better. */
    @FunctionalInterface
    interface Score {
        double of(Task task, Agent agent);
    }

    private final Map<String, Set<PendingClaim>> byType = new HashMap<>();
    private final Set<PendingClaim> general = new LinkedHashSet<>();
    private final ConcurrentLinkedQueue<PendingClaim> answered = new ConcurrentLinkedQueue<>();

    /** A new long-poll of {@code pending.agent}. */
    void park(PendingClaim pending) {
        Agent agent = pending.agent;
        agent.parked.add(pending);
        if (agent.general) {
            general.add(pending);
        } else {
            for (String type : agent.spec.capabilities()) {
                byType.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(pending);
            }
        }
    }

    /** The parked claim whose agent has a free slot and scores best for {@code task}; ties to the longest waiting. */
    PendingClaim best(Task task, Score score) {
        PendingClaim best = null;
        double bestScore = 0;
        Set<PendingClaim> exact = byType.get(task.type());
        if (exact != null) {
            for (PendingClaim pending : exact) {
                if (pending.agent.freeSlots() > 0) {
                    double s = score.of(task, pending.agent);
                    if (best == null || s > bestScore) {
                        best = pending;
                        bestScore = s;
                    }
                }
            }
        }
        for (PendingClaim pending : general) {
            if (pending.agent.freeSlots() > 0) {
                double s = score.of(task, pending.agent);
                if (best == null || s > bestScore) {
                    best = pending;
                    bestScore = s;
                }
            }
        }
        return best;
    }

    /** The agent's oldest parked claim, or null. */
    static PendingClaim oldestOf(Agent agent) {
        return agent.parked.isEmpty() ? null : agent.parked.iterator().next();
    }

    /** Answer a parked claim with tasks. */
    void deliver(PendingClaim pending, List<ClaimedTask> tasks) {
        unpark(pending);
        answer(pending, tasks);
    }

    /** Answer a claim empty if it is still parked (its time is up, or its client went away): its agent was alive until {@code now}. */
    void endEmpty(PendingClaim pending, long now) {
        if (!pending.done) {
            pending.agent.lastSeen = Math.max(pending.agent.lastSeen, now);
            deliver(pending, List.of());
        }
    }

    /** Answer every parked claim of the agent empty. */
    void endAll(Agent agent) {
        for (PendingClaim pending : new ArrayList<>(agent.parked)) {
            deliver(pending, List.of());
        }
    }

    /** Complete the futures of answered claims; called outside the lock. */
    void flush() {
        for (PendingClaim pending = answered.poll(); pending != null; pending = answered.poll()) {
            pending.result.complete(pending.answer);
        }
    }

    private void unpark(PendingClaim pending) {
        Agent agent = pending.agent;
        agent.parked.remove(pending);
        if (agent.general) {
            general.remove(pending);
        } else {
            for (String type : agent.spec.capabilities()) {
                Set<PendingClaim> set = byType.get(type);
                if (set != null) {
                    set.remove(pending);
                }
            }
        }
    }

    private void answer(PendingClaim pending, List<ClaimedTask> tasks) {
        pending.done = true;
        pending.answer = tasks;
        answered.add(pending);
    }
}
