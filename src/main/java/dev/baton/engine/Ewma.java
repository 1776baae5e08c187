package dev.baton.engine;

/**
 * An agent's record for one task type (or overall): counts, an exponentially weighted success
 * rate starting at 1.0, and an exponentially weighted completion time.
 */
final class Ewma {

    static final double ALPHA = 0.1;

    long completed;
    long failed;
    double successRate = 1.0;
    /** NaN before the first completion. */
    double meanMillis = Double.NaN;

    void success(long millis) {
        completed++;
        successRate += ALPHA * (1.0 - successRate);
        meanMillis = Double.isNaN(meanMillis) ? millis : meanMillis + ALPHA * (millis - meanMillis);
    }

    void failure() {
        failed++;
        successRate += ALPHA * (0.0 - successRate);
    }

    AgentView.History view() {
        return new AgentView.History(completed, failed, successRate, Double.isNaN(meanMillis) ? null : meanMillis);
    }

    void restore(AgentView.History h) {
        completed = h.completed();
        failed = h.failed();
        successRate = h.successRate();
        meanMillis = h.meanMillis() == null ? Double.NaN : h.meanMillis();
    }
}
