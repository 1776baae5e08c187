package dev.baton.engine;

/**
 * A bulk action ({@code POST /v1/tasks/bulk}): what to do to every task the filter matches. Null
 * filter fields match anything; a filter with nothing in it is refused unless {@code all} is set.
 *
 * @param olderThanMillis only tasks created at least this long ago
 * @param dryRun          count what would be touched, change nothing
 * @param limit           touch at most this many tasks in this call (the rest is counted in {@code remaining})
 */
public record BulkRequest(Action action, TaskStatus status, String type, String agent, Priority priority,
        Long olderThanMillis, boolean all, boolean dryRun, int limit) {

    public enum Action {
        /** Cancel tasks that have not ended. */
        CANCEL,
        /** Re-queue dead letters (FAILED tasks) with fresh retries. */
        RETRY
    }

    boolean filterIsEmpty() {
        return status == null && type == null && agent == null && priority == null && olderThanMillis == null;
    }
}
