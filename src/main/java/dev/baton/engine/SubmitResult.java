package dev.baton.engine;

/**
 * @param created false when the same id was submitted before with the same body (idempotent retry)
 * @param seq     the last event sequence number this call produced (what durability waits for)
 */
public record SubmitResult(TaskView task, boolean created, long seq) {
}
