package dev.baton.engine;

/**
 * One run of a task: from its claim to the moment it ended. Times are epoch millis.
 *
 * @param attempt   the run's number, 1 for the first (it keeps counting after a dead letter's retry)
 * @param agent     the agent that ran it
 * @param endedAt   when the run ended, or null while it runs
 * @param outcome   how it ended, or null while it runs
 * @param error     the agent's error (FAILED) or why the lease ended (EXPIRED), else null
 */
public record TaskAttempt(int attempt, String agent, long startedAt, Long endedAt, Outcome outcome, String error) {

    /** How a run ended. */
    public enum Outcome {
        /** the agent completed the task */
        COMPLETED,
        /** the agent failed it (a retry may follow) */
        FAILED,
        /** its lease ran out */
        EXPIRED,
        /** the task was cancelled while it ran */
        CANCELLED,
        /** its agent left, and the task went back to its queue */
        RELEASED;

        private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

        /** The outcome on the wire: lower case. */
        public String wireName() {
            return wireName;
        }
    }
}
