package dev.baton.engine;

/** A task handed to an agent, with the lease the agent must quote in every later call. */
public record ClaimedTask(TaskView task, String leaseId, long leaseExpiresAt) {
}
