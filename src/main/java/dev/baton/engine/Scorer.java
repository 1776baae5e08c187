package dev.baton.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * Scores (task, agent) pairs (docs/model.md) and keeps the fleet's mean completion time per type
 * that the speed term compares an agent against.
 */
final class Scorer {

    private final ScoringWeights weights;
    private final Map<String, Ewma> fleet = new HashMap<>();

    Scorer(ScoringWeights weights) {
        this.weights = weights;
    }

    double score(Task task, Agent agent) {
        String type = task.type();
        Ewma own = agent.historyOrNull(type);
        return capability(type, agent) + priority(task) + load(agent) + history(own) + speed(type, own);
    }

    /** The same score, term by term (for the assignment's event); allocates, so not for the hot loop. */
    ScoreBreakdown breakdown(Task task, Agent agent) {
        String type = task.type();
        Ewma own = agent.historyOrNull(type);
        double capability = capability(type, agent);
        double priority = priority(task);
        double load = load(agent) + 0.0; // an idle agent: 0.0 on the wire, not -0.0
        double history = history(own);
        double speed = speed(type, own);
        return new ScoreBreakdown(capability + priority + load + history + speed, capability, priority, load, history,
                speed);
    }

    private double capability(String type, Agent agent) {
        return agent.exactly(type) ? weights.exactCapability() : weights.generalCapability();
    }

    private double priority(Task task) {
        return weights.boost(task.level);
    }

    private double load(Agent agent) {
        return weights.load() * agent.active.size() / agent.spec.maxConcurrency();
    }

    private double history(Ewma own) {
        return weights.history() * (own == null ? 1.0 : own.successRate);
    }

    private double speed(String type, Ewma own) {
        return weights.speed() * speedRatio(type, own);
    }

    private double speedRatio(String type, Ewma own) {
        Ewma fleetType = fleet.get(type);
        if (own == null || Double.isNaN(own.meanMillis) || fleetType == null || Double.isNaN(fleetType.meanMillis)) {
            return 1.0; // a newcomer is assumed to run at the fleet's pace
        }
        return Math.min(weights.speedCap(), Math.max(1.0, fleetType.meanMillis) / Math.max(1.0, own.meanMillis));
    }

    void recordCompletion(String type, long millis) {
        fleet.computeIfAbsent(type, t -> new Ewma()).success(millis);
    }

    Double fleetMeanMillis(String type) {
        Ewma e = fleet.get(type);
        return e == null || Double.isNaN(e.meanMillis) ? null : e.meanMillis;
    }
}
