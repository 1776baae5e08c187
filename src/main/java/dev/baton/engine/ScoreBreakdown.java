package dev.baton.engine;

/**
 * Why a task went to an agent: the terms of the score (docs/model.md) at the moment it was
 * assigned. {@code total} is their sum; each term is already multiplied by its weight.
 *
 * @param capability exact or general capability
 * @param priority   the boost of the level the task was handed out at
 * @param load       the weight (negative) × the agent's busy share before it took the task
 * @param history    the weight × the agent's success rate for the type
 * @param speed      the weight × how much faster than the fleet the agent runs the type (capped)
 */
public record ScoreBreakdown(double total, double capability, double priority, double load, double history,
        double speed) {
}
