package dev.baton.client;

import java.time.Instant;

/** The answer to a heartbeat: the extended lease, and whether the task's cancellation was asked for. */
public record HeartbeatAnswer(Instant leaseExpiresAt, boolean cancelRequested, TaskStatus status) {
}
