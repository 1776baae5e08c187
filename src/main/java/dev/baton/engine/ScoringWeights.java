package dev.baton.engine;

/**
 * Weights of the score of (task, agent), as docs/model.md explains. Score = capability + priority boost
 * + load × active/max + history × success rate + speed × min(speedCap, fleet mean / agent mean).
 */
public record ScoringWeights(
        double exactCapability,
        double generalCapability,
        double critical,
        double high,
        double medium,
        double low,
        double load,
        double history,
        double speed,
        double speedCap) {

    public static final ScoringWeights DEFAULT = new ScoringWeights(50, 30, 40, 25, 10, 5, -20, 20, 10, 2);

    public double boost(Priority priority) {
        return switch (priority) {
            case CRITICAL -> critical;
            case HIGH -> high;
            case MEDIUM -> medium;
            case LOW -> low;
        };
    }
}
