package dev.baton.engine;

/**
 * The answer to complete or fail.
 *
 * @param duplicate the same call was already applied with the same lease (a client retry)
 * @param seq       the last event sequence number this call produced
 */
public record CompletionResult(TaskView task, boolean duplicate, long seq) {
}
