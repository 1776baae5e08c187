package dev.baton.engine;

/**
 * @param cancelRequested the task was cancelled: the agent should stop working on it
 */
public record HeartbeatResult(long leaseExpiresAt, boolean cancelRequested, TaskView task) {
}
