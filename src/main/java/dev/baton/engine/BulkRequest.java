package dev.baton.engine;

/**
 * A bulk action ({@code POST /v1/tasks/bulk}): what to do to every task the filter matches. Null
 * filter fields match anything; a filter with nothing in it is refused unless {@code all} is set.
 *
 * @param rateKey         only tasks carrying this {@code rate_key}
 * @param concurrencyKey  only tasks carrying this {@code concurrency_key}
 * @param olderThanMillis only tasks created at least this long ago
 * @param dryRun          count what would be touched, change nothing
 * @param limit           touch at most this many tasks in this call (the rest is counted in {@code remaining})
 */
public record BulkRequest(Action action, TaskStatus status, String type, String agent, Priority priority,
        String rateKey, String concurrencyKey, Long olderThanMillis, boolean all, boolean dryRun, int limit) {

    /** A filter without keys. */
    public BulkRequest(Action action, TaskStatus status, String type, String agent, Priority priority,
            Long olderThanMillis, boolean all, boolean dryRun, int limit) {
        this(action, status, type, agent, priority, null, null, olderThanMillis, all, dryRun, limit);
    }

    public enum Action {
        /** Cancel tasks that have not ended. */
        CANCEL,
        /** Re-queue dead letters (FAILED tasks) with fresh retries. */
        RETRY
    }

    boolean filterIsEmpty() {
        return status == null && type == null && agent == null && priority == null && rateKey == null
                && concurrencyKey == null && olderThanMillis == null;
    }
}
