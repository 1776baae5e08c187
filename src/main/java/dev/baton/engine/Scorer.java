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
        double score = agent.exactly(type) ? weights.exactCapability() : weights.generalCapability();
        score += weights.boost(task.level);
        score += weights.load() * agent.active.size() / agent.spec.maxConcurrency();
        Ewma own = agent.historyOrNull(type);
        score += weights.history() * (own == null ? 1.0 : own.successRate);
        score += weights.speed() * speedRatio(type, own);
        return score;
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
