package dev.baton.engine;

/**
 * What a bulk action did.
 *
 * @param matched   tasks the filter matched to which the action applies
 * @param touched   tasks this call changed (0 on a dry run), one event each
 * @param remaining matched tasks left for another call (past the limit, or all of them on a dry run)
 * @param seq       the last event of the change, for the durability wait
 */
public record BulkResult(BulkRequest.Action action, boolean dryRun, int matched, int touched, int remaining,
        long seq) {
}
