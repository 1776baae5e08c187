package dev.baton.client;

import java.time.Instant;

/**
 * One event of Baton's streams. Task fields are null for agent events. A {@code resync} event
 * (the events after your {@code Last-Event-ID} are no longer held) carries {@code lastEventId}, the
 * resume point asked for, and {@code seq}, where the stream resumes: re-read what you need, then carry on.
 */
public record Event(
        String event,
        long seq,
        String taskId,
        String taskType,
        String priority,
        TaskStatus status,
        String agentId,
        Integer progress,
        String message,
        Instant at,
        Long lastEventId) {

    public static final String RESYNC = "resync";

    public boolean isResync() {
        return RESYNC.equals(event);
    }

    /** task.completed, task.failed or task.cancelled. */
    public boolean isTerminal() {
        return "task.completed".equals(event) || "task.failed".equals(event) || "task.cancelled".equals(event);
    }
}
